//! The int8 LeNet-5 on the Cortex-M0 ([`shaped_embedded::int8`]).
#![no_std]
#![no_main]

#[cortex_m_rt::entry]
fn main() -> ! {
    let cp = cortex_m::Peripherals::take().unwrap();
    shaped_embedded::int8::run("m0 int8", cp.SYST)
}
