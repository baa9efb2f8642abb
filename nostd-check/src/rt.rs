//! The freestanding runtime: entry point on a painted `.bss` stack, raw syscalls, the memory
//! functions the compiler calls, the panic handler, and zeroed statics handed out once.



/// Stack size; `_start` fills it with `PAINT` first so the peak use can be measured.
pub const STACK_SIZE: usize = 256 * 1024;
const PAINT: u8 = 0xA5;

#[repr(C, align(16))]
struct Stack([u8; STACK_SIZE]);

static mut STACK: Stack = Stack([0; STACK_SIZE]);

core::arch::global_asm!(
    ".globl _start",
    "_start:",
    "xor ebp, ebp",
    // Paint the whole stack (DF is clear at process start).
    "lea rdi, [rip + {stack}]",
    "mov rcx, {size}",
    "mov al, {paint}",
    "rep stosb",
    // Switch to its top, 16-byte aligned, and call the entry (which never returns).
    "lea rsp, [rip + {stack}]",
    "add rsp, {size}",
    "and rsp, -16",
    "call {entry}",
    "ud2",
    stack = sym STACK,
    size = const STACK_SIZE,
    paint = const PAINT,
    entry = sym entry,
);

extern "C" fn entry() -> ! {
    exit(crate::run())
}

/// Bytes of the stack written so far: the stack grows down, so scan up from its lowest address
/// for the first byte that is no longer the paint.
pub fn stack_used() -> usize {
    let base = (&raw const STACK).cast::<u8>();
    let untouched = (0..STACK_SIZE)
        // SAFETY: in bounds of the static; volatile because the stack is live memory.
        .take_while(|&i| unsafe { core::ptr::read_volatile(base.add(i)) } == PAINT)
        .count();
    STACK_SIZE - untouched
}

unsafe fn syscall3(n: usize, a: usize, b: usize, c: usize) -> isize {
    let ret: isize;
    // SAFETY: the caller passes a valid Linux x86-64 system call.
    unsafe {
        core::arch::asm!(
            "syscall",
            inlateout("rax") n as isize => ret,
            in("rdi") a, in("rsi") b, in("rdx") c,
            lateout("rcx") _, lateout("r11") _,
            options(nostack),
        );
    }
    ret
}

/// `write(1, bytes)`, retried until everything is written or an error occurs.
pub fn write_stdout(mut bytes: &[u8]) {
    while !bytes.is_empty() {
        // SAFETY: write(2) reads `len` bytes from a valid slice.
        let n = unsafe { syscall3(1, 1, bytes.as_ptr() as usize, bytes.len()) };
        if n <= 0 {
            return;
        }
        bytes = &bytes[n as usize..];
    }
}

/// `exit_group(code)`.
pub fn exit(code: i32) -> ! {
    // SAFETY: exit_group(2) takes an int and does not return.
    unsafe { syscall3(231, code as usize, 0, 0) };
    loop {
        core::hint::spin_loop();
    }
}

/// `core::fmt` to standard output: `writeln!(Out, "..")`.
pub struct Out;

impl core::fmt::Write for Out {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        write_stdout(s.as_bytes());
        Ok(())
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    use core::fmt::Write;
    let _ = writeln!(Out, "panic: {info}");
    exit(101)
}

/// Referenced by the precompiled `core` even with `panic = "abort"`; never called.
#[unsafe(no_mangle)]
extern "C" fn rust_eh_personality() {}

// The memory functions the compiler emits calls to. `#![no_builtins]` keeps these loops from
// being turned back into calls to themselves.

/// # Safety
/// As C's `memcpy`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memcpy(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    for i in 0..n {
        // SAFETY: the caller's contract.
        unsafe { *dest.add(i) = *src.add(i) };
    }
    dest
}

/// # Safety
/// As C's `memmove`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memmove(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    if (dest as usize) < (src as usize) {
        for i in 0..n {
            // SAFETY: the caller's contract; forward copy is safe when dest is below src.
            unsafe { *dest.add(i) = *src.add(i) };
        }
    } else {
        for i in (0..n).rev() {
            // SAFETY: the caller's contract; backward copy is safe when dest is above src.
            unsafe { *dest.add(i) = *src.add(i) };
        }
    }
    dest
}

/// # Safety
/// As C's `memset`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memset(dest: *mut u8, c: i32, n: usize) -> *mut u8 {
    for i in 0..n {
        // SAFETY: the caller's contract.
        unsafe { *dest.add(i) = c as u8 };
    }
    dest
}

/// # Safety
/// As C's `memcmp`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    for i in 0..n {
        // SAFETY: the caller's contract.
        let (x, y) = unsafe { (*a.add(i), *b.add(i)) };
        if x != y {
            return x as i32 - y as i32;
        }
    }
    0
}

/// # Safety
/// As C's `bcmp`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: the same contract.
    unsafe { memcmp(a, b, n) }
}
