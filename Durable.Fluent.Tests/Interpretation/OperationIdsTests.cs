using System.Security.Cryptography;
using System.Text;
using Durable.Fluent.Interpretation;

namespace Durable.Fluent.Tests.Interpretation;

public class OperationIdsTests
{
    private static string Expected(string key) => Convert.ToHexString(SHA256.HashData(Encoding.ASCII.GetBytes(key))).ToLowerInvariant();

    [Test]
    public void Root_ids_match_the_framework_sha256()
    {
        foreach (var n in new[] { 1, 2, 9, 10, 99, 100, 999, 1000, 2999, 3000, 3001, 65535, int.MaxValue })
        {
            Assert.That(OperationIds.Create(null, n), Is.EqualTo(Expected(n.ToString(System.Globalization.CultureInfo.InvariantCulture))), $"n = {n}");
        }
    }

    [Test]
    public void Child_ids_match_the_framework_sha256_across_block_boundaries()
    {
        var random = new Random(7);
        const string alphabet = "0123456789abcdef-_ABCxyz";
        // Key lengths from 2 to ~220 bytes cover one, two and several SHA-256 blocks and every padding boundary (55/56/64).
        for (var length = 0; length <= 210; length++)
        {
            var prefix = new string(Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            foreach (var n in new[] { 1, 7, 12, 123456 })
            {
                Assert.That(OperationIds.Create(prefix, n), Is.EqualTo(Expected($"{prefix}-{n}")), $"prefix length {length}, n = {n}");
            }
        }
    }

    [Test]
    public void Child_ids_stay_exact_when_parents_interleave_and_share_their_first_block()
    {
        // The state after a prefix's first 64 bytes is reused for the next id on the thread: interleaved parents, prefixes that
        // share the first 64 characters but differ after them, and the same prefix on many threads must all hash exactly.
        var a = OperationIds.Create(null, 1);
        var b = OperationIds.Create(null, 2);
        var longA = a + "-tail-one";
        var longB = a + "-tail-two";
        var keys = new[] { a, b, a, longA, longB, a, b, b, longB, a };
        for (var i = 0; i < keys.Length; i++)
        {
            Assert.That(OperationIds.Create(keys[i], i + 1), Is.EqualTo(Expected($"{keys[i]}-{i + 1}")), $"key {i}");
        }

        var results = new string[8][];
        Parallel.For(0, results.Length, t => results[t] = Enumerable.Range(1, 200).Select(n => OperationIds.Create(t % 2 == 0 ? a : b, n)).ToArray());
        for (var t = 0; t < results.Length; t++)
        {
            var parent = t % 2 == 0 ? a : b;
            Assert.That(results[t], Is.EqualTo(Enumerable.Range(1, 200).Select(n => Expected($"{parent}-{n}")).ToArray()), $"thread {t}");
        }
    }

    [Test]
    public void Nested_ids_chain_like_the_service_expects()
    {
        var parent = OperationIds.Create(null, 2);
        Assert.That(OperationIds.Create(parent, 1), Is.EqualTo(Expected(Expected("2") + "-1")));
    }
}
