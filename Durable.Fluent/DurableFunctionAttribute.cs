namespace Durable.Fluent;

/// <summary>
/// Names the durable function a static <see cref="Workflow{TIn, TOut}"/> field or property is served as by tools that load
/// workflows from an assembly — the <c>durable serve --assembly</c> command of the <c>Durable.Fluent.Cli</c> tool registers
/// it with the local durable service under <see cref="FunctionName"/>. It changes nothing at run time; a Lambda function
/// is named by its deployment, not by this attribute.
/// </summary>
/// <example>
/// <code>
/// public static class OrderWorkflow
/// {
///     [DurableFunction("order-processor")]
///     public static readonly Workflow&lt;OrderRequest, Receipt&gt; Definition = Workflow.For&lt;OrderRequest&gt;()...Build();
/// }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public sealed class DurableFunctionAttribute : Attribute
{
    /// <summary>Names the function.</summary>
    /// <param name="functionName">The function name (1–64 characters of <c>[a-zA-Z0-9-_]</c>), for example <c>order-processor</c>.</param>
    public DurableFunctionAttribute(string functionName) => FunctionName = functionName;

    /// <summary>The function name the workflow is served as.</summary>
    public string FunctionName { get; }
}
