using System.Text.RegularExpressions;

namespace Durable.Fluent.Retries;

/// <summary>
/// One entry of <see cref="RetryStrategyConfigBase.RetryableErrorMessages"/>: either a plain string, tested as a
/// case-sensitive <b>substring</b> of <see cref="Exception.Message"/> (Python <c>in</c>, JS <c>includes</c>), or a
/// <see cref="Regex"/>, tested with <see cref="Regex.IsMatch(string)"/> (Python <c>search</c>, JS <c>test</c>).
/// Both convert implicitly, so <c>RetryableErrorMessages = ["timeout", new Regex("^5\\d\\d")]</c> works.
/// </summary>
/// <remarks>
/// SDK difference: the AWS .NET SDK treats every string as a regex. We follow Python and JS; pass a <see cref="Regex"/>
/// when you want a regex.
/// </remarks>
public sealed class ErrorMessagePattern
{
    private ErrorMessagePattern(string? substring, Regex? regex)
    {
        Substring = substring;
        Regex = regex;
    }

    /// <summary>The substring to look for, when this is a plain-string pattern.</summary>
    public string? Substring { get; }

    /// <summary>The regular expression, when this is a regex pattern.</summary>
    public Regex? Regex { get; }

    /// <summary>A substring pattern.</summary>
    /// <param name="substring">The text that must occur in the message; not null.</param>
    /// <returns>The pattern.</returns>
    public static ErrorMessagePattern Contains(string substring)
    {
        ArgumentNullException.ThrowIfNull(substring);
        return new ErrorMessagePattern(substring, null);
    }

    /// <summary>A regex pattern.</summary>
    /// <param name="regex">The expression; not null.</param>
    /// <returns>The pattern.</returns>
    public static ErrorMessagePattern Matches(Regex regex)
    {
        ArgumentNullException.ThrowIfNull(regex);
        return new ErrorMessagePattern(null, regex);
    }

    /// <summary>Converts a string to a substring pattern.</summary>
    /// <param name="substring">The text.</param>
    public static implicit operator ErrorMessagePattern(string substring) => Contains(substring);

    /// <summary>Converts a regex to a regex pattern.</summary>
    /// <param name="regex">The expression.</param>
    public static implicit operator ErrorMessagePattern(Regex regex) => Matches(regex);

    /// <summary>Tests a message.</summary>
    /// <param name="message">The error message (null is treated as empty).</param>
    /// <returns>Whether the pattern matches.</returns>
    public bool IsMatch(string? message)
    {
        message ??= string.Empty;
        return Regex is not null ? Regex.IsMatch(message) : message.Contains(Substring!, StringComparison.Ordinal);
    }

    /// <inheritdoc/>
    public override string ToString() => Regex is not null ? $"/{Regex}/" : $"\"{Substring}\"";
}
