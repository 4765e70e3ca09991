using Durable.Fluent.Checkpointing.Http;
using Durable.Fluent.Testing.Engine;
using Durable.Fluent.Wire;
using Microsoft.AspNetCore.Http;

namespace Durable.Fluent.LocalService.Http;

/// <summary>The filters and paging of ListDurableExecutionsByFunction (also used by the emulator's list of all executions).</summary>
internal static class ExecutionListing
{
    public static Task WriteAsync(HttpContext context, IReadOnlyList<ExecutionSnapshot> executions)
    {
        var query = context.Request.Query;
        var maxItems = QueryValues.MaxItems(query);
        var reverse = QueryValues.Bool(query, "ReverseOrder");
        var statuses = new List<ExecutionStatus>();
        foreach (var s in query["Statuses"])
        {
            if (!UpperSnakeEnumConverter<ExecutionStatus>.TryParse(s ?? string.Empty, out var status))
            {
                throw ApiError.Invalid($"Unknown status '{s}'.");
            }

            statuses.Add(status);
        }

        if (statuses.Count > 10)
        {
            throw ApiError.Invalid("Statuses takes 1–10 values.");
        }

        var after = QueryValues.Timestamp(query, "StartedAfter");
        var before = QueryValues.Timestamp(query, "StartedBefore");
        IEnumerable<ExecutionSnapshot> filtered = executions;
        if (QueryValues.String(query, "Qualifier") is { Length: > 0 } qualifier)
        {
            filtered = filtered.Where(e => e.Version == qualifier);
        }

        if (QueryValues.String(query, "DurableExecutionName") is { Length: > 0 } name)
        {
            filtered = filtered.Where(e => e.DurableExecutionName == name);
        }

        if (statuses.Count > 0)
        {
            filtered = filtered.Where(e => statuses.Contains(e.Status));
        }

        if (after is { } a)
        {
            filtered = filtered.Where(e => e.StartTimestamp > a);
        }

        if (before is { } b)
        {
            filtered = filtered.Where(e => e.StartTimestamp < b);
        }

        if (reverse == true)
        {
            filtered = filtered.Reverse();
        }

        var (page, next) = Paging.Page(filtered.ToList(), QueryValues.String(query, "Marker"), maxItems);
        return Responses.JsonAsync(context, 200, new ListDurableExecutionsByFunctionResponse
        {
            DurableExecutions = page.Select(e => new DurableExecutionSummary
            {
                DurableExecutionArn = e.DurableExecutionArn,
                DurableExecutionName = e.DurableExecutionName,
                FunctionArn = e.FunctionArn,
                Status = e.Status,
                StartTimestamp = e.StartTimestamp,
                EndTimestamp = e.EndTimestamp,
            }).ToList(),
            NextMarker = next,
        });
    }
}
