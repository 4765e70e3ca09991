using Durable.Fluent.Checkpointing.Http;
using Durable.Fluent.Testing.Engine;
using Durable.Fluent.Wire;
using Microsoft.AspNetCore.Http;

namespace Durable.Fluent.LocalService.Http;

/// <summary>
/// The filters and paging of ListDurableExecutionsByFunction (also used by the emulator's list of all executions). The engine
/// (with a SQLite file: the file's indexes) answers the page, so a listing does not load or copy every execution.
/// </summary>
internal static class ExecutionListing
{
    /// <summary>Answers one page of the executions matching the request's filters (and <paramref name="functionName"/>, when given).</summary>
    public static Task WriteAsync(HttpContext context, LocalDurableEngine engine, string? functionName)
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

        var filters = new ExecutionQuery
        {
            FunctionName = functionName,
            Qualifier = QueryValues.String(query, "Qualifier") is { Length: > 0 } qualifier ? qualifier : null,
            ExecutionName = QueryValues.String(query, "DurableExecutionName") is { Length: > 0 } name ? name : null,
            Statuses = statuses,
            StartedAfter = QueryValues.Timestamp(query, "StartedAfter"),
            StartedBefore = QueryValues.Timestamp(query, "StartedBefore"),
            Reverse = reverse == true,
        };
        var offset = Paging.Offset(QueryValues.String(query, "Marker"));
        var size = Paging.Size(maxItems);
        var page = engine.ListExecutions(filters, offset, size);
        if (page.Items.Count == 0 && offset > 0 && offset > engine.CountExecutions(filters))
        {
            throw Paging.InvalidMarker(offset);
        }

        return Responses.JsonAsync(context, 200, new ListDurableExecutionsByFunctionResponse
        {
            DurableExecutions = page.Items.Select(e => new DurableExecutionSummary
            {
                DurableExecutionArn = e.DurableExecutionArn,
                DurableExecutionName = e.DurableExecutionName,
                FunctionArn = e.FunctionArn,
                Status = e.Status,
                StartTimestamp = e.StartTimestamp,
                EndTimestamp = e.EndTimestamp,
            }).ToList(),
            NextMarker = page.More ? (offset + page.Items.Count).ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
        });
    }
}
