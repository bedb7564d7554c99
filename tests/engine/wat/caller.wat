;; Cross-instance linking: calls an imported wasm function, then reads its own memory.
(module
  (import "a" "get" (func $get (result i32)))
  (memory 1)
  (data (i32.const 0) "\01")
  (func (export "run") (result i32) (i32.add (call $get) (i32.load8_u (i32.const 0)))))
