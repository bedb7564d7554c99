;; Refused: a wasi_snapshot_preview1 function that does not exist.
(module
  (import "wasi_snapshot_preview1" "path_teleport" (func $t (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start") (drop (call $t (i32.const 1)))))
