using System.Reflection;
using Durable.Fluent.LocalService;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.LocalService;

/// <summary>
/// The in-process port writes a request's JSON only when a cheap bound says it might be over the size limit; the bound must
/// never be under the JSON the HTTP client sends, or a request over the limit would pass in-process only.
/// </summary>
public class InProcessCheckpointStoreTests
{
    [Test]
    public void The_size_bound_is_never_under_the_json_even_with_every_member_set_to_the_worst_escaping()
    {
        var worst = Filled<OperationUpdate>(new string('\u0001', 3000));
        var bound = InProcessCheckpointStore.UpperBoundBytes(new string('\u0001', 2048), [worst, worst]);
        var json = InProcessCheckpointStore.RequestBytes(new string('\u0001', 2048), [worst, worst]);

        Assert.That(json, Is.GreaterThan(2 * 14 * 6 * 3000), "all 14 strings of each update (11 members, 3 stack trace lines) were filled and escaped (6 bytes a character)");
        Assert.That(bound, Is.GreaterThanOrEqualTo(json));
    }

    [Test]
    public void The_size_bound_covers_small_updates_with_every_optional_member_set()
    {
        var small = Filled<OperationUpdate>("a");
        var updates = Enumerable.Repeat(small, 200).ToList();

        Assert.That(InProcessCheckpointStore.UpperBoundBytes("t", updates), Is.GreaterThanOrEqualTo(InProcessCheckpointStore.RequestBytes("t", updates)));
        Assert.That(InProcessCheckpointStore.UpperBoundBytes("t", [null!]), Is.GreaterThanOrEqualTo(InProcessCheckpointStore.RequestBytes("t", [null!])));
    }

    [Test]
    public void A_typical_checkpoint_is_far_under_the_default_limit_so_no_json_is_written_for_it()
    {
        var step = new OperationUpdate { Id = "c4ca4238a0b92382", Type = OperationType.Step, SubType = "Step", Name = "validate_order", Action = OperationAction.Succeed, Payload = "{\"orderId\":\"o-1\",\"total\":10.5}" };

        Assert.That(InProcessCheckpointStore.UpperBoundBytes(new string('A', 44), Enumerable.Repeat(step, 200).ToList()), Is.LessThan(LocalDurableServiceOptions.DefaultMaxRequestBodyBytes));
    }

    [Test]
    public void Every_string_of_an_update_is_sent_as_valid_utf16_like_json_would_and_valid_ones_are_not_copied()
    {
        var broken = Filled<OperationUpdate>("a\ud800b\udc00");
        var valid = Filled<OperationUpdate>("a\ud83d\ude00b"); // a surrogate pair: valid UTF-16

        var sent = InProcessCheckpointStore.AsSent([valid, broken]);

        Assert.That(sent[0], Is.SameAs(valid));
        var strings = Strings(sent[1]).ToList();
        Assert.That(strings, Has.Count.EqualTo(11 + 3), "every string member (11) and the three stack trace lines");
        Assert.That(strings, Has.All.EqualTo("a\ufffdb\ufffd"));
    }

    private static IEnumerable<string> Strings(object? value)
    {
        switch (value)
        {
            case null:
                yield break;
            case string s:
                yield return s;
                yield break;
            case System.Collections.IEnumerable items:
                foreach (var item in items)
                {
                    foreach (var s in Strings(item))
                    {
                        yield return s;
                    }
                }

                yield break;
        }

        if (value.GetType().IsPrimitive || value.GetType().IsEnum || value is DateTimeOffset)
        {
            yield break;
        }

        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            foreach (var s in Strings(property.GetValue(value)))
            {
                yield return s;
            }
        }
    }

    /// <summary>An instance with every settable member set: strings to <paramref name="text"/>, lists to three items, numbers and enums to their widest values, records recursively.</summary>
    private static T Filled<T>(string text) => (T)Fill(typeof(T), text, depth: 0)!;

    private static object? Fill(Type type, string text, int depth)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(string))
        {
            return text;
        }

        if (underlying.IsEnum)
        {
            return Enum.GetValues(underlying).Cast<object>().OrderByDescending(v => v.ToString()!.Length).First();
        }

        if (underlying == typeof(int))
        {
            return int.MinValue;
        }

        if (underlying == typeof(long))
        {
            return long.MinValue;
        }

        if (underlying == typeof(bool))
        {
            return false;
        }

        if (underlying == typeof(DateTimeOffset))
        {
            return DateTimeOffset.MaxValue;
        }

        if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
        {
            var item = underlying.GetGenericArguments()[0];
            var list = Array.CreateInstance(item, 3);
            for (var i = 0; i < 3; i++)
            {
                list.SetValue(Fill(item, text, depth + 1), i);
            }

            return list;
        }

        Assert.That(depth, Is.LessThan(4), $"unexpected nesting at {underlying}");
        var instance = System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(underlying);
        foreach (var property in underlying.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            property.SetValue(instance, Fill(property.PropertyType, text, depth + 1));
        }

        return instance;
    }
}
