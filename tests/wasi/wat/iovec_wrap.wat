;; fd_write with an iovec whose buffer runs past the end of memory (ptr + len wraps in 32
;; bits) and one whose iovec count is huge: both EFAULT, nothing written. Then a good write.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "\00\ff\00\00\00\01\00\ff")      ;; iovec: buf 0xff00, len 0xff000100
  (data (i32.const 32) "\40\00\00\00\03\00\00\00")      ;; iovec: buf 64, len 3
  (data (i32.const 64) "ok\n")
  (func (export "_start")
    (local $e i32)
    (local.set $e (call $w (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 8)))
    (local.set $e (i32.add (local.get $e)
                  (call $w (i32.const 1) (i32.const 32) (i32.const 0x20000000) (i32.const 8))))
    (local.set $e (i32.add (local.get $e)
                  (call $w (i32.const 1) (i32.const 32) (i32.const 1) (i32.const 8))))
    (call $exit (local.get $e))))
