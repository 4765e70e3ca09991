using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Durable.Fluent.LocalService.Http;

/// <summary>Query-string parameters of the REST API, validated; a bad value is 400 InvalidParameterValueException.</summary>
internal static class QueryValues
{
    private static readonly long MinEpochSeconds = DateTimeOffset.MinValue.ToUnixTimeSeconds();
    private static readonly long MaxEpochSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    /// <summary>The first value of <paramref name="name"/>, or <see langword="null"/> when absent.</summary>
    public static string? String(IQueryCollection query, string name)
        => query.TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null;

    /// <summary><c>MaxItems</c>: an integer from 0 to 1000 (0 means the default, 100).</summary>
    public static int? MaxItems(IQueryCollection query)
    {
        if (String(query, "MaxItems") is not { } text)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > 1000)
        {
            throw ApiError.Invalid($"MaxItems must be an integer from 0 to 1000, not '{text}'.");
        }

        return n;
    }

    /// <summary>A boolean parameter: <c>true</c> or <c>false</c>.</summary>
    public static bool? Bool(IQueryCollection query, string name)
    {
        if (String(query, name) is not { } text)
        {
            return null;
        }

        return bool.TryParse(text, out var b) ? b : throw ApiError.Invalid($"{name} must be true or false, not '{text}'.");
    }

    /// <summary>A timestamp parameter: ISO 8601 (what rest-json clients send) or epoch seconds.</summary>
    public static DateTimeOffset? Timestamp(IQueryCollection query, string name)
    {
        if (String(query, name) is not { } text)
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            // Finite and within what a timestamp can hold (years 0001–9999); 1e300, NaN or Infinity are not timestamps.
            if (!double.IsFinite(seconds) || seconds < MinEpochSeconds || seconds > MaxEpochSeconds)
            {
                throw ApiError.Invalid($"{name} '{text}' is out of range: epoch seconds from {MinEpochSeconds} to {MaxEpochSeconds}.");
            }

            return DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000));
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
        {
            return t;
        }

        throw ApiError.Invalid($"{name} must be an ISO-8601 timestamp or epoch seconds, not '{text}'.");
    }
}
