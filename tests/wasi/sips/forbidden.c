/* Test SIP that the kernel must refuse: it imports a function from a module other than
 * wasi_snapshot_preview1 and sip. */
__attribute__((import_module("env"), import_name("launch_missiles")))
int launch_missiles(int count);

int main(void)
{
    return launch_missiles(3);
}
