# Debian packages the project builds and tests with; `make deps` installs the missing ones.
DEB_PKGS := gcc make pkg-config clang-14 lld-14 libclang-rt-14-dev libclang-rt-14-dev-wasm32 wasi-libc wabt \
            libcunit1-dev libjansson-dev libzmq3-dev protobuf-c-compiler libprotobuf-c-dev \
            libsqlite3-dev libyaml-dev libmicrohttpd-dev libcurl4-openssl-dev \
            qemu-system-x86 qemu-utils ipxe ipxe-qemu \
            libvirt-daemon-system libvirt-clients libvirt-dev dnsmasq-base \
            iproute2 iptables dpkg-dev chromium

deps:
	@missing=$$(for p in $(DEB_PKGS); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "deps: installing" $$missing; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null || \
	    { echo "deps: apt-get install failed" >&2; exit 1; }; \
	fi
