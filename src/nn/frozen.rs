//! [`Frozen`]: a layer or sub-model that is not trained.

use crate::nn::No;
use crate::nn::{Ctx, Entry, EntryMut, Infer, Kind, Module, Name, Params, Train};

/// Makes any layer or sub-model non-trainable (transfer learning: keep a pre-trained feature
/// extractor, train a new head).
///
/// - No gradient storage and no optimizer state: `Grads = ()`, so a model
///   `(Frozen<Features>, Head)` has the head's gradients only, and Adam's moments shrink with them.
/// - Runs in evaluation mode, in training too: BatchNorm uses (and keeps) its running statistics,
///   Dropout is the identity. A frozen layer is a fixed function.
/// - Backward passes `dX` through when asked (a trainable layer sits below) and does nothing
///   otherwise.
/// - Its parameters are still visited, named and saved (kind [`Kind::Frozen`]), so a frozen model
///   loads the same weight files as the trainable one.
///
/// ```
/// use shaped::nn::{Frozen, Linear, Module, Params, ReLU};
/// use shaped::prelude::*;
/// type Head = Linear<f32, U8, U3>;
/// type Model = (Frozen<(Linear<f32, U4, U8>, ReLU)>, Head);
/// assert_eq!(<Model as Params<f32>>::PARAMS, 8 * 3 + 3);
/// assert_eq!(size_of::<<Model as Module>::Grads>(), size_of::<<Head as Module>::Grads>());
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[repr(transparent)]
pub struct Frozen<L>(pub L);

// SAFETY: a transparent wrapper of a zeroable value.
unsafe impl<L: crate::Zeroable> crate::Zeroable for Frozen<L> {}

impl<L> Module for Frozen<L> {
    type Grads = ();
    type Trainable = No;
}

impl<T, L: Params<T>> Params<T> for Frozen<L> {
    const PARAMS: usize = 0;
    const STORED: usize = L::STORED;

    fn visit(&self, name: &Name<'_>, f: &mut impl FnMut(Entry<'_, T>)) {
        self.0.visit(name, &mut |e: Entry<'_, T>| {
            f(Entry {
                kind: frozen(e.kind),
                ..e
            })
        });
    }

    fn visit_mut(&mut self, name: &Name<'_>, f: &mut impl FnMut(EntryMut<'_, T>)) {
        self.0.visit_mut(name, &mut |e: EntryMut<'_, T>| {
            f(EntryMut {
                kind: frozen(e.kind),
                ..e
            })
        });
    }

    fn zip_params<const N: usize>(
        &mut self,
        _: &(),
        _: [&mut (); N],
        _: &mut impl FnMut(&mut [T], &[T], [&mut [T]; N]),
    ) {
    }

    /// Initialises the wrapped layer (useful before loading part of a pre-trained model).
    fn init(&mut self, scheme: crate::init::Scheme, rng: &mut crate::rand::Rng)
    where
        T: crate::Real,
    {
        self.0.init(scheme, rng);
    }
}

fn frozen(kind: Kind) -> Kind {
    match kind {
        Kind::Trainable => Kind::Frozen,
        other => other,
    }
}

impl<X, L: Infer<X>> Infer<X> for Frozen<L> {
    type Output = L::Output;
    type Scratch = L::Scratch;

    #[inline]
    fn infer(&self, x: &X, scratch: &mut Self::Scratch, y: &mut Self::Output) {
        self.0.infer(x, scratch, y);
    }
}

impl<X, L: Train<X>> Train<X> for Frozen<L> {
    type Cache = L::Cache;

    #[inline]
    fn forward(&mut self, x: &X, ctx: Ctx, cache: &mut Self::Cache, y: &mut Self::Output) {
        self.0.forward(x, ctx.to_eval(), cache, y);
    }

    #[inline]
    fn backward(
        &self,
        x: &X,
        cache: &mut Self::Cache,
        dy: &Self::Output,
        dx: Option<&mut X>,
        _: Option<&mut ()>,
    ) {
        if dx.is_some() {
            self.0.backward(x, cache, dy, dx, None);
        }
    }
}
