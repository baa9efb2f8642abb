//! Tuples of layers are layers: `(A, B, C)` runs `A`, then `B`, then `C`.
//!
//! The intermediate types are pinned by `Output =` bindings (`A: Layer<X, Output = H0>`), so a chain
//! type-checks only if every layer accepts what the previous one produces; the first mismatch is
//! reported by the receiving layer's own check, e.g.
//! `shape error (Linear input features): got 864, expected 400`.
//!
//! `Work` is one `(work, activation, activation gradient)` triple per layer but the last, which has
//! only its work: `((W0, H0, D0), (W1, H1, D1), (W2,))`. Longer models nest tuples.

use super::{Layer, Params};
use crate::scalar::Zeroable;

macro_rules! chain {
    (
        first: $A:ident $ai:tt $HA:ident;
        mid: $([$L:ident $li:tt $HL:ident after $pi:tt $HP:ident])*;
        last: $Z:ident $zi:tt after $pz:tt $HZ:ident;
        reversed mid: $([$RL:ident $rli:tt after $rpi:tt $RHP:ident])*;
    ) => {
        impl<X, $HA, $($HL,)* $A, $($L,)* $Z> Layer<X> for ($A, $($L,)* $Z)
        where
            $A: Layer<X, Output = $HA>,
            $($L: Layer<$HP, Output = $HL>,)*
            $HA: Zeroable,
            $($HL: Zeroable,)*
            $Z: Layer<$HZ>,
        {
            type Output = <$Z as Layer<$HZ>>::Output;
            type Work = (
                (<$A as Layer<X>>::Work, $HA, $HA),
                $((<$L as Layer<$HP>>::Work, $HL, $HL),)*
                (<$Z as Layer<$HZ>>::Work,),
            );

            #[inline]
            fn forward(&self, x: &X, w: &mut Self::Work, y: &mut Self::Output) {
                self.$ai.forward(x, &mut w.$ai.0, &mut w.$ai.1);
                $(self.$li.forward(&w.$pi.1, &mut w.$li.0, &mut w.$li.1);)*
                self.$zi.forward(&w.$pz.1, &mut w.$zi.0, y);
            }

            #[inline]
            fn backward(
                &self,
                x: &X,
                w: &mut Self::Work,
                dy: &Self::Output,
                dx: Option<&mut X>,
                g: &mut Self,
            ) {
                self.$zi.backward(&w.$pz.1, &mut w.$zi.0, dy, Some(&mut w.$pz.2), &mut g.$zi);
                $(
                    {
                        let (prev, cur) = (&mut w.$rpi, &mut w.$rli);
                        self.$rli.backward(&prev.1, &mut cur.0, &cur.2, Some(&mut prev.2), &mut g.$rli);
                    }
                )*
                self.$ai.backward(x, &mut w.$ai.0, &w.$ai.2, dx, &mut g.$ai);
            }
        }

        impl<T, $A: Params<T>, $($L: Params<T>,)* $Z: Params<T>> Params<T> for ($A, $($L,)* $Z) {
            const PARAMS: usize = $A::PARAMS $(+ $L::PARAMS)* + $Z::PARAMS;

            fn init(&mut self, scheme: crate::init::Scheme, rng: &mut crate::rand::Rng)
            where
                T: crate::Real,
            {
                self.$ai.init(scheme, rng);
                $(self.$li.init(scheme, rng);)*
                self.$zi.init(scheme, rng);
            }

            fn visit(&self, f: &mut impl FnMut(&[T])) {
                self.$ai.visit(f);
                $(self.$li.visit(f);)*
                self.$zi.visit(f);
            }

            fn visit_mut(&mut self, f: &mut impl FnMut(&mut [T])) {
                self.$ai.visit_mut(f);
                $(self.$li.visit_mut(f);)*
                self.$zi.visit_mut(f);
            }

            fn zip_params<const N: usize>(
                &mut self,
                grads: &Self,
                mut state: [&mut Self; N],
                f: &mut impl FnMut(&mut [T], &[T], [&mut [T]; N]),
            ) {
                self.$ai.zip_params(&grads.$ai, state.each_mut().map(|s| &mut s.$ai), f);
                $(self.$li.zip_params(&grads.$li, state.each_mut().map(|s| &mut s.$li), f);)*
                self.$zi.zip_params(&grads.$zi, state.each_mut().map(|s| &mut s.$zi), f);
            }
        }
    };
}

chain! {
    first: A 0 H0;
    mid: ;
    last: B 1 after 0 H0;
    reversed mid: ;
}
chain! {
    first: A 0 H0;
    mid: [B 1 H1 after 0 H0];
    last: C 2 after 1 H1;
    reversed mid: [B 1 after 0 H0];
}
chain! {
    first: A 0 H0;
    mid: [B 1 H1 after 0 H0] [C 2 H2 after 1 H1];
    last: D 3 after 2 H2;
    reversed mid: [C 2 after 1 H1] [B 1 after 0 H0];
}
chain! {
    first: A 0 H0;
    mid: [B 1 H1 after 0 H0] [C 2 H2 after 1 H1] [D 3 H3 after 2 H2];
    last: E 4 after 3 H3;
    reversed mid: [D 3 after 2 H2] [C 2 after 1 H1] [B 1 after 0 H0];
}
chain! {
    first: A 0 H0;
    mid: [B 1 H1 after 0 H0] [C 2 H2 after 1 H1] [D 3 H3 after 2 H2] [E 4 H4 after 3 H3];
    last: F 5 after 4 H4;
    reversed mid: [E 4 after 3 H3] [D 3 after 2 H2] [C 2 after 1 H1] [B 1 after 0 H0];
}
chain! {
    first: A 0 H0;
    mid: [B 1 H1 after 0 H0] [C 2 H2 after 1 H1] [D 3 H3 after 2 H2] [E 4 H4 after 3 H3]
        [F 5 H5 after 4 H4];
    last: G 6 after 5 H5;
    reversed mid: [F 5 after 4 H4] [E 4 after 3 H3] [D 3 after 2 H2] [C 2 after 1 H1]
        [B 1 after 0 H0];
}
chain! {
    first: A 0 H0;
    mid: [B 1 H1 after 0 H0] [C 2 H2 after 1 H1] [D 3 H3 after 2 H2] [E 4 H4 after 3 H3]
        [F 5 H5 after 4 H4] [G 6 H6 after 5 H5];
    last: J 7 after 6 H6;
    reversed mid: [G 6 after 5 H5] [F 5 after 4 H4] [E 4 after 3 H3] [D 3 after 2 H2]
        [C 2 after 1 H1] [B 1 after 0 H0];
}
