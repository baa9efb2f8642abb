//! What a layer or model stores, and how it is walked (see [`Params`]).

use crate::nn::Name;

/// The kind of a stored tensor.
///
/// Three kinds, as burn separates them:
/// - **trainable** parameters get a gradient and optimizer state;
/// - **frozen** parameters (inside [`Frozen`](crate::nn::Frozen)) are saved and loaded but get
///   neither;
/// - **state** (BatchNorm's running mean and variance, its batch count) is saved and loaded, updated
///   by training forward passes, and never touched by optimizers, clipping or weight decay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Gets a gradient and optimizer state.
    Trainable,
    /// A parameter that is not trained (inside [`Frozen`](crate::nn::Frozen)).
    Frozen,
    /// Non-trainable state such as running statistics.
    State,
}

/// The values of a stored tensor: the model's element type, or `i64` counters (PyTorch's
/// `num_batches_tracked`).
#[derive(Debug)]
pub enum Values<'a, T> {
    /// Elements of the model's type, row-major.
    Elem(&'a [T]),
    /// Integer counters.
    I64(&'a [i64]),
}

/// Mutable [`Values`].
#[derive(Debug)]
pub enum ValuesMut<'a, T> {
    /// Elements of the model's type, row-major.
    Elem(&'a mut [T]),
    /// Integer counters.
    I64(&'a mut [i64]),
}

impl<T> Values<'_, T> {
    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            Values::Elem(v) => v.len(),
            Values::I64(v) => v.len(),
        }
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T> ValuesMut<'_, T> {
    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            ValuesMut::Elem(v) => v.len(),
            ValuesMut::I64(v) => v.len(),
        }
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One stored tensor, as a visitor sees it.
#[derive(Debug)]
pub struct Entry<'a, T> {
    /// Its dotted name, e.g. `3.running_mean`.
    pub name: &'a Name<'a>,
    /// Trainable, frozen or state.
    pub kind: Kind,
    /// Its dims in the library's layout (`[]` for a scalar).
    pub dims: &'static [usize],
    /// Its values.
    pub values: Values<'a, T>,
}

/// One stored tensor, mutably.
#[derive(Debug)]
pub struct EntryMut<'a, T> {
    /// Its dotted name.
    pub name: &'a Name<'a>,
    /// Trainable, frozen or state.
    pub kind: Kind,
    /// Its dims in the library's layout.
    pub dims: &'static [usize],
    /// Its values.
    pub values: ValuesMut<'a, T>,
}

/// A layer or model, seen from training: the type of its gradients.
///
/// Independent of the element type, so layer contracts can name `Self::Grads` without one.
pub trait Module {
    /// Gradients: one tensor per trainable parameter (`()` when there are none). Optimizer
    /// state is made of values of this type.
    type Grads: crate::Zeroable;
    /// Whether any parameter is trainable, as a type ([`Yes`] or [`No`]), so that an optimizer
    /// refuses at compile time a model with nothing to train (a [`Frozen`](crate::nn::Frozen)
    /// one, say). Models combine their parts' flags with [`Either`].
    type Trainable: Flag;
    /// [`Self::Trainable`] as a value. Lets a chain skip the input gradient of every layer that
    /// has nothing trainable below it.
    const TRAINABLE: bool = <Self::Trainable as Flag>::BOOL;
}

/// A yes/no known to the compiler: [`Yes`] or [`No`].
pub trait Flag {
    /// The flag as a value.
    const BOOL: bool;
    /// `Self` or `F`: [`Yes`] if either is.
    type Or<F: Flag>: Flag;
}

/// The [`Flag`] for "true".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Yes;

/// The [`Flag`] for "false".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct No;

impl Flag for Yes {
    const BOOL: bool = true;
    type Or<F: Flag> = Yes;
}

impl Flag for No {
    const BOOL: bool = false;
    type Or<F: Flag> = F;
}

/// [`Yes`] if `A` or `B` is: a model is trainable if any of its parts is.
pub type Either<A, B> = <A as Flag>::Or<B>;

/// Holds for [`Yes`] only: the bound behind "an optimizer needs something to train".
///
/// [`Optimizer`](crate::optim::Optimizer) is implemented only for models whose
/// [`Module::Trainable`] is [`Yes`], so stepping a model that is frozen throughout, or has no
/// parameters, is a compile error (it would change nothing).
#[diagnostic::on_unimplemented(
    message = "this model has nothing to train: every parameter in it is frozen, or it has none",
    label = "an optimizer step on this model would change nothing",
    note = "freeze only the part to keep, e.g. `(Frozen<Features>, Head)`, and step that model"
)]
pub trait HasTrainable {}

impl HasTrainable for Yes {}

/// A layer's or model's stored tensors, walked in a fixed order with names.
///
/// `#[derive(Params)]` writes this, [`Module`] and `Zeroable` for a struct: mark trainable tensor
/// fields `#[param]`, state fields `#[state]`, fields to leave out (markers, configuration)
/// `#[skip]`; every other field is a sub-model, named by its field name (tuple models number
/// their layers, as `nn.Sequential` does). The derive also writes the gradient struct,
/// `{Name}Grads`, with one field per trainable tensor or sub-model.
pub trait Params<T>: Module<Grads: Tensors<T>> {
    /// Number of trainable scalars, a compile-time constant.
    const PARAMS: usize;
    /// Number of stored scalars of every kind (trainable, frozen, state).
    const STORED: usize;

    /// Calls `f` for every stored tensor, in a fixed order, with its name under `name`.
    fn visit(&self, name: &Name<'_>, f: &mut impl FnMut(Entry<'_, T>));

    /// Calls `f` for every stored tensor, mutably, in the same order.
    fn visit_mut(&mut self, name: &Name<'_>, f: &mut impl FnMut(EntryMut<'_, T>));

    /// Walks the trainable parameters, their gradients and `N` optimizer-state values in
    /// lockstep: `f(param, grad, [state_0, .., state_N-1])` for each trainable tensor.
    fn zip_params<const N: usize>(
        &mut self,
        grads: &Self::Grads,
        state: [&mut Self::Grads; N],
        f: &mut impl FnMut(&mut [T], &[T], [&mut [T]; N]),
    );

    /// Calls `f` on the elements of every parameter tensor (trainable and frozen; not state), in
    /// [`Params::visit`] order, without names.
    fn params(&self, f: &mut impl FnMut(&[T])) {
        self.visit(&Name::ROOT, &mut |e| {
            if let (Kind::Trainable | Kind::Frozen, Values::Elem(v)) = (e.kind, e.values) {
                f(v)
            }
        });
    }

    /// Calls `f` on the elements of every parameter tensor, mutably (e.g. to set weights).
    fn params_mut(&mut self, f: &mut impl FnMut(&mut [T])) {
        self.visit_mut(&Name::ROOT, &mut |e| {
            if let (Kind::Trainable | Kind::Frozen, ValuesMut::Elem(v)) = (e.kind, e.values) {
                f(v)
            }
        });
    }

    /// Initialises the parameters (weights by `scheme`, biases zero, running statistics to their
    /// starting values), reproducibly from `rng`. The default does nothing.
    fn init(&mut self, scheme: crate::init::Scheme, rng: &mut crate::rand::Rng)
    where
        T: crate::Real,
    {
        let _ = (scheme, rng);
    }
}

/// A bundle of tensors of `T` walked in a fixed order: gradients and optimizer state. Tuples of
/// bundles are bundles; `()` is the empty one.
pub trait Tensors<T>: crate::Zeroable {
    /// Number of scalars.
    const LEN: usize;
    /// Calls `f` on each tensor's elements.
    fn visit(&self, f: &mut impl FnMut(&[T]));
    /// Calls `f` on each tensor's elements, mutably.
    fn visit_mut(&mut self, f: &mut impl FnMut(&mut [T]));
    /// Sets every element to zero (clears gradients).
    fn zero(&mut self)
    where
        T: crate::Scalar,
    {
        self.visit_mut(&mut |g| g.fill(T::zero()));
    }
}

impl<T> Tensors<T> for () {
    const LEN: usize = 0;
    fn visit(&self, _: &mut impl FnMut(&[T])) {}
    fn visit_mut(&mut self, _: &mut impl FnMut(&mut [T])) {}
}

impl<T: crate::Zeroable, S: crate::shape::Shape> Tensors<T> for crate::Tensor<T, S> {
    const LEN: usize = S::NUMEL;
    fn visit(&self, f: &mut impl FnMut(&[T])) {
        f(self.as_slice())
    }
    fn visit_mut(&mut self, f: &mut impl FnMut(&mut [T])) {
        f(self.as_mut_slice())
    }
}

macro_rules! tensors_tuple {
    ($($t:ident $i:tt),+) => {
        impl<T, $($t: Tensors<T>),+> Tensors<T> for ($($t,)+) {
            const LEN: usize = 0 $(+ $t::LEN)+;
            fn visit(&self, f: &mut impl FnMut(&[T])) {
                $(self.$i.visit(f);)+
            }
            fn visit_mut(&mut self, f: &mut impl FnMut(&mut [T])) {
                $(self.$i.visit_mut(f);)+
            }
        }
    };
}
tensors_tuple!(A 0);
tensors_tuple!(A 0, B 1);
tensors_tuple!(A 0, B 1, C 2);
tensors_tuple!(A 0, B 1, C 2, D 3);
tensors_tuple!(A 0, B 1, C 2, D 3, E 4);
tensors_tuple!(A 0, B 1, C 2, D 3, E 4, F 5);
tensors_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tensors_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
tensors_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
tensors_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
tensors_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
tensors_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);
tensors_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12);
tensors_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13);
tensors_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14);
tensors_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14, P 15);

/// A stored tensor of a model: what `#[derive(Params)]` walks for a `#[param]` or `#[state]`
/// field. Implemented by tensors of the model's type and of `i64`.
pub trait Stored<T> {
    /// Its dims.
    const DIMS: &'static [usize];
    /// Its number of values.
    const LEN: usize;
    /// Its values.
    fn values(&self) -> Values<'_, T>;
    /// Its values, mutably.
    fn values_mut(&mut self) -> ValuesMut<'_, T>;
}

impl<T, S: crate::shape::Shape> Stored<T> for crate::Tensor<T, S> {
    const DIMS: &'static [usize] = S::DIMS;
    const LEN: usize = S::NUMEL;
    fn values(&self) -> Values<'_, T> {
        Values::Elem(self.as_slice())
    }
    fn values_mut(&mut self) -> ValuesMut<'_, T> {
        ValuesMut::Elem(self.as_mut_slice())
    }
}

/// A 0-dim `i64` counter, as PyTorch's `num_batches_tracked`.
impl<T> Stored<T> for i64 {
    const DIMS: &'static [usize] = &[];
    const LEN: usize = 1;
    fn values(&self) -> Values<'_, T> {
        Values::I64(core::slice::from_ref(self))
    }
    fn values_mut(&mut self) -> ValuesMut<'_, T> {
        ValuesMut::I64(core::slice::from_mut(self))
    }
}

/// A trainable tensor (a `#[param]` field): its elements as one slice. Its gradient has the same
/// type.
pub trait Param<T>: Stored<T> + crate::Zeroable {
    /// The elements.
    fn elems(&self) -> &[T];
    /// The elements, mutably.
    fn elems_mut(&mut self) -> &mut [T];
}

impl<T: crate::Zeroable, S: crate::shape::Shape> Param<T> for crate::Tensor<T, S> {
    #[inline(always)]
    fn elems(&self) -> &[T] {
        self.as_slice()
    }
    #[inline(always)]
    fn elems_mut(&mut self) -> &mut [T] {
        self.as_mut_slice()
    }
}
