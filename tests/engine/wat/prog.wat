;; Test module for tests/engine: arithmetic, recursion, a long computation for fuel and
;; snapshot tests, one function per trap kind, host imports (yield, trap, exit).
(module
  (import "host" "yieldy" (func $yieldy (param i32) (result i32)))
  (import "host" "fail" (func $fail))
  (import "host" "quit" (func $quit (param i32)))
  (type $ii (func (param i32) (result i32)))
  (memory 1 8)
  (table 4 funcref)
  (elem (i32.const 0) $fac $mix)
  (global $g (mut i64) (i64.const 0))

  (func $fac (export "fac") (param i64) (result i64)
    (if (result i64) (i64.le_u (local.get 0) (i64.const 1))
      (then (i64.const 1))
      (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1)))))))

  (func $mix (param $x i32) (result i32)
    (i32.xor (i32.mul (local.get $x) (i32.const 0x9E3779B1))
             (i32.shr_u (local.get $x) (i32.const 15))))

  (func $fib (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))

  ;; n rounds of memory updates, recursion and a global; grows memory half-way.
  (func (export "work") (param $n i32) (result i64)
    (local $i i32) (local $acc i32) (local $a i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $a (i32.shl (i32.and (local.get $i) (i32.const 4095)) (i32.const 2)))
        (i32.store (local.get $a)
          (i32.add (i32.load (local.get $a)) (call_indirect (type $ii) (local.get $i) (i32.const 1))))
        (global.set $g (i64.add (global.get $g)
          (i64.extend_i32_u (call $fib (i32.and (local.get $i) (i32.const 15))))))
        (if (i32.eq (local.get $i) (i32.shr_u (local.get $n) (i32.const 1)))
          (then (drop (memory.grow (i32.const 2)))))
        (if (i32.ge_u (local.get $i) (i32.shr_u (local.get $n) (i32.const 1)))
          (then (i32.store offset=131072 (i32.shl (i32.and (local.get $i) (i32.const 255)) (i32.const 2))
                  (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.set $i (i32.const 0))
    (block $d2
      (loop $l2
        (br_if $d2 (i32.ge_u (local.get $i) (i32.mul (memory.size) (i32.const 65536))))
        (local.set $acc (i32.add (call $mix (local.get $acc)) (i32.load (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $l2)))
    (i64.add (i64.shl (global.get $g) (i64.const 32)) (i64.extend_i32_u (local.get $acc))))

  (func (export "unreachable") unreachable)
  (func (export "oob") (result i32) (i32.load (i32.const 65533)))
  (func (export "oob_far") (param i32) (result i32) (i32.load offset=4294967295 (local.get 0)))
  (func (export "table_oob") (result funcref) (table.get 0 (i32.const 10)))
  (func (export "div0") (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
  (func (export "overflow") (param i32) (result i32) (i32.div_s (i32.const 0x80000000) (local.get 0)))
  (func (export "badconv") (param f32) (result i32) (i32.trunc_f32_s (local.get 0)))
  (func (export "convrange") (param f64) (result i32) (i32.trunc_f64_u (local.get 0)))
  (func (export "undef_elem") (result i32) (call_indirect (type $ii) (i32.const 1) (i32.const 99)))
  (func (export "uninit") (result i32) (call_indirect (type $ii) (i32.const 1) (i32.const 2)))
  (func (export "mismatch") (result i32) (call_indirect (type $ii) (i32.const 1) (i32.const 0)))
  (func $rec (export "recurse") (param i32) (result i32)
    (i32.add (call $rec (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "call_yieldy") (param i32) (result i32)
    (i32.add (call $yieldy (local.get 0)) (i32.const 1)))
  (func (export "call_fail") (call $fail))
  (func (export "call_quit") (call $quit (i32.const 7)) unreachable)
  (func (export "spin") (loop (br 0)))

  ;; Shapes the compiler fuses into superinstructions (tests/engine/test_fused.c).
  ;; Sum of 0..n-1 with the increment before the loop's closing test (i != n).
  (func (export "count_ne") (param $n i32) (result i32) (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.ne (local.get $i) (local.get $n))))
    (local.get $s))
  ;; The same against a constant bound, unsigned less-than, step 3.
  (func (export "count_lt_k") (param $i i32) (result i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 3)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 100))))
    (local.get $s))
  ;; x*m[p] + m[p+8] - m[p+16], then / m[p+24]: f64 arithmetic with loaded operands.
  (func (export "f64_loadops") (param $p i32) (result f64)
    (f64.store (i32.const 64) (f64.const 3))
    (f64.store (i32.const 72) (f64.const 0.5))
    (f64.store (i32.const 80) (f64.const 2))
    (f64.store (i32.const 88) (f64.const 4))
    (f64.div
      (f64.sub
        (f64.add (f64.mul (f64.const 1.5) (f64.load (local.get $p)))
                 (f64.load offset=8 (local.get $p)))
        (f64.load (i32.add (local.get $p) (i32.const 16))))
      (f64.load offset=24 (local.get $p))))
  ;; sha-256 style mixes of shifted and rotated values.
  (func (export "shift_mix") (param $x i32) (result i32)
    (i32.add
      (i32.xor (i32.xor (i32.rotl (local.get $x) (i32.const 25)) (i32.rotl (local.get $x) (i32.const 14)))
               (i32.shr_u (local.get $x) (i32.const 3)))
      (i32.or (i32.and (local.get $x) (i32.rotr (local.get $x) (i32.const 7)))
              (i32.shl (local.get $x) (i32.const 5)))))
  ;; br_table on a byte loaded from memory (p + 1): opcode 0 -> 10, 1 -> 11, else 12.
  (func (export "byte_dispatch") (param $p i32) (result i32)
    (i32.store8 (i32.const 200) (i32.const 0))
    (i32.store8 (i32.const 201) (i32.const 1))
    (i32.store8 (i32.const 202) (i32.const 7))
    (block $d (block $b (block $a
      (br_table $a $b $d (i32.load8_u (i32.add (local.get $p) (i32.const 1)))))
      (return (i32.const 10)))
    (return (i32.const 11)))
    (i32.const 12))
)
