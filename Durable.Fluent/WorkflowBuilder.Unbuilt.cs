using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using Durable.Fluent.Checkpointing;
using Durable.Fluent.Wire;

namespace Durable.Fluent;

/// <summary>
/// DF0003 ("call Build()"), raised by the compiler itself: a builder used where a built <see cref="Workflow{TIn, TOut}"/> is
/// expected. Without these members the compiler reports a type error that does not mention <c>Build()</c> (CS0029, CS1061,
/// CS1503, CS0411); with them it reports one error, DF0003, whose message names the fix. Every member here is an error to
/// use (<c>[Obsolete(..., error: true)]</c>), hidden from completion, and throws if reached anyway (reflection, <c>dynamic</c>),
/// so no code that was wrong before compiles now, and no code that was right changes meaning: a builder was never
/// convertible to a workflow, and none of these members can be bound without the error.
/// </summary>
public sealed partial class WorkflowBuilder<TIn, TCur>
{
    /// <summary>Not a conversion: a builder becomes a workflow through <c>Build()</c>. Reported as the compile error DF0003.</summary>
    /// <param name="builder">The builder.</param>
    /// <returns>Never returns.</returns>
    /// <exception cref="NotSupportedException">Always (the compiler rejects every use).</exception>
    [Obsolete(AuthoringErrors.CallBuild, error: true, DiagnosticId = AuthoringErrors.CallBuildId, UrlFormat = AuthoringErrors.CallBuildUrl)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    [SuppressMessage("Usage", "CA2225:Operator overloads have named alternates", Justification = "The named alternate is Build(); this operator exists only to be a compile error.")]
    public static implicit operator Workflow<TIn, TCur>(WorkflowBuilder<TIn, TCur> builder) => throw new NotSupportedException(AuthoringErrors.CallBuild);

    /// <summary>A builder does not run: call <c>Build()</c> and run the workflow. Reported as the compile error DF0003.</summary>
    /// <param name="input">The invocation envelope.</param>
    /// <param name="store">The checkpoint port.</param>
    /// <param name="runOptions">Invocation options.</param>
    /// <param name="cancellationToken">Cancels the invocation.</param>
    /// <returns>Never returns.</returns>
    /// <exception cref="NotSupportedException">Always (the compiler rejects every use).</exception>
    [Obsolete(AuthoringErrors.CallBuild, error: true, DiagnosticId = AuthoringErrors.CallBuildId, UrlFormat = AuthoringErrors.CallBuildUrl)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Task<DurableExecutionInvocationOutput> HandleAsync(DurableExecutionInvocationInput input, ICheckpointStore store, DurableRunOptions? runOptions = null, CancellationToken cancellationToken = default)
        => throw new NotSupportedException(AuthoringErrors.CallBuild);

    /// <summary>A builder does not run: call <c>Build()</c> and run the workflow. Reported as the compile error DF0003.</summary>
    /// <param name="input">The invocation envelope.</param>
    /// <param name="runOptions">Invocation options.</param>
    /// <param name="cancellationToken">Cancels the invocation.</param>
    /// <returns>Never returns.</returns>
    /// <exception cref="NotSupportedException">Always (the compiler rejects every use).</exception>
    [Obsolete(AuthoringErrors.CallBuild, error: true, DiagnosticId = AuthoringErrors.CallBuildId, UrlFormat = AuthoringErrors.CallBuildUrl)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Task<DurableExecutionInvocationOutput> HandleAsync(DurableExecutionInvocationInput input, DurableRunOptions? runOptions = null, CancellationToken cancellationToken = default)
        => throw new NotSupportedException(AuthoringErrors.CallBuild);

    /// <summary>A builder does not run: call <c>Build()</c> and run the workflow. Reported as the compile error DF0003.</summary>
    /// <param name="input">The request stream.</param>
    /// <param name="cancellationToken">Cancels the invocation.</param>
    /// <returns>Never returns.</returns>
    /// <exception cref="NotSupportedException">Always (the compiler rejects every use).</exception>
    [Obsolete(AuthoringErrors.CallBuild, error: true, DiagnosticId = AuthoringErrors.CallBuildId, UrlFormat = AuthoringErrors.CallBuildUrl)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Task<Stream> HandleAsync(Stream input, CancellationToken cancellationToken = default) => throw new NotSupportedException(AuthoringErrors.CallBuild);

    /// <summary>A builder does not run: call <c>Build()</c> and run the workflow. Reported as the compile error DF0003.</summary>
    /// <param name="input">The request stream.</param>
    /// <param name="runOptions">Invocation options.</param>
    /// <param name="cancellationToken">Cancels the invocation.</param>
    /// <returns>Never returns.</returns>
    /// <exception cref="NotSupportedException">Always (the compiler rejects every use).</exception>
    [Obsolete(AuthoringErrors.CallBuild, error: true, DiagnosticId = AuthoringErrors.CallBuildId, UrlFormat = AuthoringErrors.CallBuildUrl)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Task<Stream> HandleAsync(Stream input, DurableRunOptions runOptions, CancellationToken cancellationToken = default)
        => throw new NotSupportedException(AuthoringErrors.CallBuild);

    /// <summary>A builder does not run: call <c>Build()</c> and run the workflow. Reported as the compile error DF0003.</summary>
    /// <param name="input">The request stream.</param>
    /// <param name="output">Where the output would be written.</param>
    /// <param name="cancellationToken">Cancels the invocation.</param>
    /// <returns>Never returns.</returns>
    /// <exception cref="NotSupportedException">Always (the compiler rejects every use).</exception>
    [Obsolete(AuthoringErrors.CallBuild, error: true, DiagnosticId = AuthoringErrors.CallBuildId, UrlFormat = AuthoringErrors.CallBuildUrl)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Task HandleAsync(Stream input, Stream output, CancellationToken cancellationToken = default) => throw new NotSupportedException(AuthoringErrors.CallBuild);

    /// <summary>A builder does not run: call <c>Build()</c> and run the workflow. Reported as the compile error DF0003.</summary>
    /// <param name="input">The request stream.</param>
    /// <param name="output">Where the output would be written.</param>
    /// <param name="store">The checkpoint port.</param>
    /// <param name="runOptions">Invocation options.</param>
    /// <param name="cancellationToken">Cancels the invocation.</param>
    /// <returns>Never returns.</returns>
    /// <exception cref="NotSupportedException">Always (the compiler rejects every use).</exception>
    [Obsolete(AuthoringErrors.CallBuild, error: true, DiagnosticId = AuthoringErrors.CallBuildId, UrlFormat = AuthoringErrors.CallBuildUrl)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public Task HandleAsync(Stream input, Stream output, ICheckpointStore store, DurableRunOptions? runOptions = null, CancellationToken cancellationToken = default)
        => throw new NotSupportedException(AuthoringErrors.CallBuild);

    /// <summary>A builder is rendered after <c>Build()</c>. Reported as the compile error DF0003.</summary>
    /// <returns>Never returns.</returns>
    /// <exception cref="NotSupportedException">Always (the compiler rejects every use).</exception>
    [Obsolete(AuthoringErrors.CallBuild, error: true, DiagnosticId = AuthoringErrors.CallBuildId, UrlFormat = AuthoringErrors.CallBuildUrl)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public string Describe() => throw new NotSupportedException(AuthoringErrors.CallBuild);

    /// <summary>A builder is rendered after <c>Build()</c>. Reported as the compile error DF0003.</summary>
    /// <returns>Never returns.</returns>
    /// <exception cref="NotSupportedException">Always (the compiler rejects every use).</exception>
    [Obsolete(AuthoringErrors.CallBuild, error: true, DiagnosticId = AuthoringErrors.CallBuildId, UrlFormat = AuthoringErrors.CallBuildUrl)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public string ToMermaid() => throw new NotSupportedException(AuthoringErrors.CallBuild);

    /// <summary>A builder has no fingerprint until <c>Build()</c>. Reported as the compile error DF0003.</summary>
    /// <exception cref="NotSupportedException">Always (the compiler rejects every use).</exception>
    [Obsolete(AuthoringErrors.CallBuild, error: true, DiagnosticId = AuthoringErrors.CallBuildId, UrlFormat = AuthoringErrors.CallBuildUrl)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    [SuppressMessage("Design", "CA1065:Do not raise exceptions in unexpected locations", Justification = "A compile error to use; throws only if reached through reflection.")]
    public string Fingerprint => throw new NotSupportedException(AuthoringErrors.CallBuild);

    /// <summary>A builder's options are given to <c>Build(options)</c>. Reported as the compile error DF0003.</summary>
    /// <exception cref="NotSupportedException">Always (the compiler rejects every use).</exception>
    [Obsolete(AuthoringErrors.CallBuild, error: true, DiagnosticId = AuthoringErrors.CallBuildId, UrlFormat = AuthoringErrors.CallBuildUrl)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    [SuppressMessage("Design", "CA1065:Do not raise exceptions in unexpected locations", Justification = "A compile error to use; throws only if reached through reflection.")]
    public WorkflowOptions Options => throw new NotSupportedException(AuthoringErrors.CallBuild);

    /// <summary>
    /// A child workflow is a built one: <c>.Then(name, other.Build())</c>, or <c>.Child(name, c =&gt; ...)</c> for an inline chain.
    /// Reported as the compile error DF0003.
    /// </summary>
    /// <typeparam name="TNext">The child's result type.</typeparam>
    /// <param name="name">The context name.</param>
    /// <param name="child">A builder (not accepted).</param>
    /// <param name="configure">Optional configuration.</param>
    /// <returns>Never returns.</returns>
    /// <exception cref="NotSupportedException">Always (the compiler rejects every use).</exception>
    [Obsolete(AuthoringErrors.CallBuild, error: true, DiagnosticId = AuthoringErrors.CallBuildId, UrlFormat = AuthoringErrors.CallBuildUrl)]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public WorkflowBuilder<TIn, TNext> Then<TNext>(OperationName name, WorkflowBuilder<TCur, TNext> child, Action<ChildConfigurator<TNext>>? configure = null)
        => throw new NotSupportedException(AuthoringErrors.CallBuild);
}
