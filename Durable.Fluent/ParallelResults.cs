namespace Durable.Fluent;

/// <summary>The typed result of a parallel with 1 branch.</summary>
/// <typeparam name="T1">The first branch's result type.</typeparam>
public sealed class ParallelResult<T1> : ParallelResult
{
    internal ParallelResult(BatchResult<object?> batch)
        : base(batch)
    {
    }

    /// <summary>The first branch (index 0), or <see langword="null"/> if it was never dispatched.</summary>
    public BatchItem<T1>? Branch1 => Item<T1>(0);

    /// <summary>The branch result.</summary>
    /// <exception cref="BatchItemFailedException">The branch failed.</exception>
    /// <exception cref="InvalidOperationException">The branch was never dispatched.</exception>
    public T1 Values => Value<T1>(0);
}

/// <summary>The typed result of a parallel with 2 branches.</summary>
/// <typeparam name="T1">The first branch's result type.</typeparam>
/// <typeparam name="T2">The second branch's result type.</typeparam>
public sealed class ParallelResult<T1, T2> : ParallelResult
{
    internal ParallelResult(BatchResult<object?> batch)
        : base(batch)
    {
    }

    /// <summary>The first branch (index 0), or <see langword="null"/> if it was never dispatched.</summary>
    public BatchItem<T1>? Branch1 => Item<T1>(0);

    /// <summary>The second branch (index 1), or <see langword="null"/> if it was never dispatched.</summary>
    public BatchItem<T2>? Branch2 => Item<T2>(1);

    /// <summary>All branch results as a tuple, in branch order (deconstruct it: <c>var (a, b) = r.Values;</c>).</summary>
    /// <exception cref="BatchItemFailedException">A branch failed (the first failure by index).</exception>
    /// <exception cref="InvalidOperationException">A branch was never dispatched (the parallel completed early).</exception>
    public (T1, T2) Values => (Value<T1>(0), Value<T2>(1));
}

/// <summary>The typed result of a parallel with 3 branches.</summary>
/// <typeparam name="T1">The first branch's result type.</typeparam>
/// <typeparam name="T2">The second branch's result type.</typeparam>
/// <typeparam name="T3">The third branch's result type.</typeparam>
public sealed class ParallelResult<T1, T2, T3> : ParallelResult
{
    internal ParallelResult(BatchResult<object?> batch)
        : base(batch)
    {
    }

    /// <summary>The first branch (index 0), or <see langword="null"/> if it was never dispatched.</summary>
    public BatchItem<T1>? Branch1 => Item<T1>(0);

    /// <summary>The second branch (index 1), or <see langword="null"/> if it was never dispatched.</summary>
    public BatchItem<T2>? Branch2 => Item<T2>(1);

    /// <summary>The third branch (index 2), or <see langword="null"/> if it was never dispatched.</summary>
    public BatchItem<T3>? Branch3 => Item<T3>(2);

    /// <summary>All branch results as a tuple, in branch order (deconstruct it: <c>var (a, b) = r.Values;</c>).</summary>
    /// <exception cref="BatchItemFailedException">A branch failed (the first failure by index).</exception>
    /// <exception cref="InvalidOperationException">A branch was never dispatched (the parallel completed early).</exception>
    public (T1, T2, T3) Values => (Value<T1>(0), Value<T2>(1), Value<T3>(2));
}

/// <summary>The typed result of a parallel with 4 branches.</summary>
/// <typeparam name="T1">The first branch's result type.</typeparam>
/// <typeparam name="T2">The second branch's result type.</typeparam>
/// <typeparam name="T3">The third branch's result type.</typeparam>
/// <typeparam name="T4">The fourth branch's result type.</typeparam>
public sealed class ParallelResult<T1, T2, T3, T4> : ParallelResult
{
    internal ParallelResult(BatchResult<object?> batch)
        : base(batch)
    {
    }

    /// <summary>The first branch (index 0), or <see langword="null"/> if it was never dispatched.</summary>
    public BatchItem<T1>? Branch1 => Item<T1>(0);

    /// <summary>The second branch (index 1), or <see langword="null"/> if it was never dispatched.</summary>
    public BatchItem<T2>? Branch2 => Item<T2>(1);

    /// <summary>The third branch (index 2), or <see langword="null"/> if it was never dispatched.</summary>
    public BatchItem<T3>? Branch3 => Item<T3>(2);

    /// <summary>The fourth branch (index 3), or <see langword="null"/> if it was never dispatched.</summary>
    public BatchItem<T4>? Branch4 => Item<T4>(3);

    /// <summary>All branch results as a tuple, in branch order (deconstruct it: <c>var (a, b) = r.Values;</c>).</summary>
    /// <exception cref="BatchItemFailedException">A branch failed (the first failure by index).</exception>
    /// <exception cref="InvalidOperationException">A branch was never dispatched (the parallel completed early).</exception>
    public (T1, T2, T3, T4) Values => (Value<T1>(0), Value<T2>(1), Value<T3>(2), Value<T4>(3));
}

/// <summary>The typed result of a parallel with 5 branches.</summary>
/// <typeparam name="T1">The first branch's result type.</typeparam>
/// <typeparam name="T2">The second branch's result type.</typeparam>
/// <typeparam name="T3">The third branch's result type.</typeparam>
/// <typeparam name="T4">The fourth branch's result type.</typeparam>
/// <typeparam name="T5">The fifth branch's result type.</typeparam>
public sealed class ParallelResult<T1, T2, T3, T4, T5> : ParallelResult
{
    internal ParallelResult(BatchResult<object?> batch)
        : base(batch)
    {
    }

    /// <summary>The first branch (index 0), or <see langword="null"/> if it was never dispatched.</summary>
    public BatchItem<T1>? Branch1 => Item<T1>(0);

    /// <summary>The second branch (index 1), or <see langword="null"/> if it was never dispatched.</summary>
    public BatchItem<T2>? Branch2 => Item<T2>(1);

    /// <summary>The third branch (index 2), or <see langword="null"/> if it was never dispatched.</summary>
    public BatchItem<T3>? Branch3 => Item<T3>(2);

    /// <summary>The fourth branch (index 3), or <see langword="null"/> if it was never dispatched.</summary>
    public BatchItem<T4>? Branch4 => Item<T4>(3);

    /// <summary>The fifth branch (index 4), or <see langword="null"/> if it was never dispatched.</summary>
    public BatchItem<T5>? Branch5 => Item<T5>(4);

    /// <summary>All branch results as a tuple, in branch order (deconstruct it: <c>var (a, b) = r.Values;</c>).</summary>
    /// <exception cref="BatchItemFailedException">A branch failed (the first failure by index).</exception>
    /// <exception cref="InvalidOperationException">A branch was never dispatched (the parallel completed early).</exception>
    public (T1, T2, T3, T4, T5) Values => (Value<T1>(0), Value<T2>(1), Value<T3>(2), Value<T4>(3), Value<T5>(4));
}

/// <summary>The typed result of a parallel with 6 branches.</summary>
/// <typeparam name="T1">The first branch's result type.</typeparam>
/// <typeparam name="T2">The second branch's result type.</typeparam>
/// <typeparam name="T3">The third branch's result type.</typeparam>
/// <typeparam name="T4">The fourth branch's result type.</typeparam>
/// <typeparam name="T5">The fifth branch's result type.</typeparam>
/// <typeparam name="T6">The sixth branch's result type.</typeparam>
public sealed class ParallelResult<T1, T2, T3, T4, T5, T6> : ParallelResult
{
    internal ParallelResult(BatchResult<object?> batch)
        : base(batch)
    {
    }

    /// <summary>The first branch (index 0), or <see langword="null"/> if it was never dispatched.</summary>
    public BatchItem<T1>? Branch1 => Item<T1>(0);

    /// <summary>The second branch (index 1), or <see langword="null"/> if it was never dispatched.</summary>
    public BatchItem<T2>? Branch2 => Item<T2>(1);

    /// <summary>The third branch (index 2), or <see langword="null"/> if it was never dispatched.</summary>
    public BatchItem<T3>? Branch3 => Item<T3>(2);

    /// <summary>The fourth branch (index 3), or <see langword="null"/> if it was never dispatched.</summary>
    public BatchItem<T4>? Branch4 => Item<T4>(3);

    /// <summary>The fifth branch (index 4), or <see langword="null"/> if it was never dispatched.</summary>
    public BatchItem<T5>? Branch5 => Item<T5>(4);

    /// <summary>The sixth branch (index 5), or <see langword="null"/> if it was never dispatched.</summary>
    public BatchItem<T6>? Branch6 => Item<T6>(5);

    /// <summary>All branch results as a tuple, in branch order (deconstruct it: <c>var (a, b) = r.Values;</c>).</summary>
    /// <exception cref="BatchItemFailedException">A branch failed (the first failure by index).</exception>
    /// <exception cref="InvalidOperationException">A branch was never dispatched (the parallel completed early).</exception>
    public (T1, T2, T3, T4, T5, T6) Values => (Value<T1>(0), Value<T2>(1), Value<T3>(2), Value<T4>(3), Value<T5>(4), Value<T6>(5));
}
