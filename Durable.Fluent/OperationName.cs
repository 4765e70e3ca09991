namespace Durable.Fluent;

/// <summary>
/// The name of an operation: a fixed string (implicit from <see cref="string"/>) or, for names that depend on data, a function
/// of the workflow input and the current value. A dynamic name must be deterministic: it only sees checkpointed values.
/// </summary>
public sealed class OperationName
{
    private readonly Func<object?, object?, string>? _dynamic;

    private OperationName(string? value, Func<object?, object?, string>? dynamic, string label)
    {
        Static = value;
        _dynamic = dynamic;
        Label = label;
    }

    /// <summary>The fixed name, or <see langword="null"/> for a dynamic one.</summary>
    public string? Static { get; }

    /// <summary>Whether the name is computed at run time.</summary>
    public bool IsDynamic => _dynamic is not null;

    internal string Label { get; }

    /// <summary>A fixed name.</summary>
    /// <param name="name">The name.</param>
    public static implicit operator OperationName(string name) => new(name, null, name);

    /// <summary>A fixed name.</summary>
    /// <param name="name">The name.</param>
    /// <returns>The name.</returns>
    public static OperationName FromString(string name) => name;

    /// <summary>A name computed from the workflow input, e.g. <c>OperationName.FromInput&lt;Order&gt;(o =&gt; $"charge_{o.Id}")</c>.</summary>
    /// <typeparam name="TIn">The workflow input type.</typeparam>
    /// <param name="selector">Computes the name.</param>
    /// <returns>The name.</returns>
    public static OperationName FromInput<TIn>(Func<TIn, string> selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        return new(null, (input, _) => selector((TIn)input!), "<from input>");
    }

    /// <summary>A name computed from the workflow input and the current value.</summary>
    /// <typeparam name="TIn">The workflow input type.</typeparam>
    /// <typeparam name="TValue">The current value type.</typeparam>
    /// <param name="selector">Computes the name.</param>
    /// <returns>The name.</returns>
    public static OperationName From<TIn, TValue>(Func<TIn, TValue, string> selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        return new(null, (input, value) => selector((TIn)input!, (TValue)value!), "<computed>");
    }

    internal string Resolve(object? input, object? value)
    {
        if (_dynamic is null)
        {
            return Static!;
        }

        var name = _dynamic(input, value);
        NameRules.Validate(name, "A computed operation name");
        return name;
    }

    /// <inheritdoc />
    public override string ToString() => Label;
}

internal static class NameRules
{
    public const int MaxLength = 256;

    public static void Validate(string? name, string what)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new WorkflowDefinitionException($"{what} is empty. Give the operation a descriptive name such as 'validate_order'.");
        }

        if (name.Length > MaxLength)
        {
            throw new WorkflowDefinitionException($"{what} '{name[..40]}…' is {name.Length} characters long; the limit is {MaxLength}.");
        }

        foreach (var c in name)
        {
            if (c < 0x20 || c > 0x7E)
            {
                throw new WorkflowDefinitionException($"{what} '{name}' contains the character U+{(int)c:X4}; operation names must be printable ASCII.");
            }
        }
    }
}
