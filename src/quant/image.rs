//! The quantized layers as model images ([`crate::mem::image`]): read in place from flash.

use super::{QAvgPool2d, QConv2d, QLinear, QReLU};
use crate::mem::image::{FromBytes, Walk};
use crate::scalar::pod_bytes as bytes;
use crate::shape::{Dim, Pair};

// SAFETY: `i8` and `i32` tensors, `i32`s and zero-sized markers (and padding).
unsafe impl<C: Dim, F: Dim, K: Pair, S: Pair, P: Pair> FromBytes for QConv2d<C, F, K, S, P> {}
// SAFETY: as above.
unsafe impl<I: Dim, O: Dim> FromBytes for QLinear<I, O> {}
// SAFETY: one `i32`.
unsafe impl FromBytes for QReLU {}
// SAFETY: one `i32` and a marker.
unsafe impl<K, S, P> FromBytes for QAvgPool2d<K, S, P> {}

impl<C: Dim, F: Dim, K: Pair, S: Pair, P: Pair> Walk for QConv2d<C, F, K, S, P> {
    fn walk(&self, f: &mut dyn FnMut(&[u8])) {
        for t in [&self.bias, &self.mult, &self.shift] {
            f(bytes(t.as_slice()));
        }
        for z in [&self.zero_in, &self.zero_out, &self.floor] {
            f(bytes(core::slice::from_ref(z)));
        }
        f(bytes(self.weight.as_slice()));
    }
}

impl<I: Dim, O: Dim> Walk for QLinear<I, O> {
    fn walk(&self, f: &mut dyn FnMut(&[u8])) {
        for t in [&self.bias, &self.mult, &self.shift] {
            f(bytes(t.as_slice()));
        }
        for z in [&self.zero_in, &self.zero_out, &self.floor] {
            f(bytes(core::slice::from_ref(z)));
        }
        f(bytes(self.weight.as_slice()));
    }
}

impl Walk for QReLU {
    fn walk(&self, f: &mut dyn FnMut(&[u8])) {
        f(bytes(core::slice::from_ref(&self.zero)));
    }
}

impl<K, S, P> Walk for QAvgPool2d<K, S, P> {
    fn walk(&self, f: &mut dyn FnMut(&[u8])) {
        f(bytes(core::slice::from_ref(&self.zero)));
    }
}
