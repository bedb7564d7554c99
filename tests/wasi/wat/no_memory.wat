;; A module without linear memory calling fd_write and args_sizes_get: every pointer is
;; bad, so each call must answer EFAULT (21); _start exits with the sum of the two errnos.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $a (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (func (export "_start")
    (call $exit (i32.add (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 0))
                         (call $a (i32.const 0) (i32.const 4))))))
