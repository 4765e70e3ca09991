using System.Security.Cryptography;
using System.Text;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Benchmarks;

/// <summary>Workflows and prepared checkpoint logs shared by the benchmarks.</summary>
internal static class Workflows
{
    /// <summary><paramref name="steps"/> sequential steps, each adding one to the previous value.</summary>
    public static Workflow<int, int> Sequential(int steps)
    {
        var b = Workflow.For<int>().Then("step-0", (v, _) => v + 1);
        for (var i = 1; i < steps; i++)
        {
            b = b.Then($"step-{i}", (v, _) => v + 1);
        }

        return b.Build();
    }

    /// <summary>The id the interpreter derives for the n-th root operation (SHA-256 of "n", lowercase hex).</summary>
    public static string RootId(int n) => Convert.ToHexString(SHA256.HashData(Encoding.ASCII.GetBytes(n.ToString(System.Globalization.CultureInfo.InvariantCulture)))).ToLowerInvariant();

    /// <summary>The EXECUTION operation plus <paramref name="completed"/> SUCCEEDED steps of <see cref="Sequential"/>.</summary>
    public static List<Operation> CompletedLog(int completed, DateTimeOffset start)
    {
        var ops = new List<Operation>(completed + 1)
        {
            new()
            {
                Id = "0001", // the last segment of the benchmarks' execution ARNs, as the service makes it
                Type = OperationType.Execution,
                Status = OperationStatus.Started,
                StartTimestamp = start,
                ExecutionDetails = new ExecutionDetails { InputPayload = "0" },
            },
        };
        for (var i = 1; i <= completed; i++)
        {
            ops.Add(new Operation
            {
                Id = RootId(i),
                Name = $"step-{i - 1}",
                Type = OperationType.Step,
                SubType = OperationSubTypes.Step,
                Status = OperationStatus.Succeeded,
                StartTimestamp = start.AddMilliseconds(i),
                EndTimestamp = start.AddMilliseconds(i),
                StepDetails = new StepDetails { Attempt = 1, Result = i.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            });
        }

        return ops;
    }
}
