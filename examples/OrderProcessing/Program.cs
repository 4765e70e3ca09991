using System.Globalization;
using System.Text.Json;
using Durable.Fluent.Checkpointing;
using Durable.Fluent.Checkpointing.Http;
using Durable.Fluent.LocalService;
using Durable.Fluent.Testing;
using Durable.Fluent.Wire;
using Microsoft.Extensions.Logging;
using OrderProcessing;

// Runs the order workflow on the local durable service: a real HTTP front on 127.0.0.1, real time, a SQLite file.
//
//   dotnet run --project examples/OrderProcessing                  start an order and follow it to the end (about 35 s);
//                                                                  this process plays the manager and approves the order
//   dotnet run --project examples/OrderProcessing -- --fast        the same on a clock running 10x faster (about 4 s)
//   dotnet run --project examples/OrderProcessing -- --detach [--name order-42]
//                                                                  start an order, exit once it is suspended on its wait
//   dotnet run --project examples/OrderProcessing -- --resume order-42
//                                                                  a new process picks the execution up from SQLite
//   dotnet run --project examples/OrderProcessing -- --list        list stored executions (runs nothing)
//   dotnet run --project examples/OrderProcessing -- --send-callback <callbackId> '{"approved":true,"by":"you"}'
//                                                                  approve a detached order (the id is printed when it is
//                                                                  requested); runs nothing: --resume then finishes it
//   --db <path>   the SQLite file (default ./.durable/orders.db)
//   dotnet run --project examples/OrderProcessing -- --graph       print the workflow as a Mermaid flowchart
const string FunctionName = "order-processor";
if (args is ["--graph"])
{
    // The definition drawn as a Mermaid flowchart, before anything runs.
    Console.Write(OrderWorkflow.Definition.ToMermaid());
    return 0;
}

var options = CommandLine.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: [--fast] [--db <path>] [--name <name>] [--detach | --resume <name> | --list | --send-callback <callbackId> <json>]");
    return 2;
}

// --list and --send-callback only read or answer: that service runs nothing (no stored execution is resumed, no timer
// fires, no invocation is begun), so the process can exit at once without leaving an invocation half-done.
var answerOnly = options.Command is "list" or "send-callback";
if (answerOnly && !File.Exists(options.Database))
{
    Console.Error.WriteLine($"No store at {Path.GetFullPath(options.Database)}: start an order first (or pass --db <path>).");
    return 1;
}

using var loggerFactory = new ConsoleLines();
TimeProvider clock = options.Fast ? new FastClock(10) : TimeProvider.System;
LocalDurableService opened;
try
{
    opened = new LocalDurableService(new LocalDurableServiceOptions
    {
        DatabasePath = options.Database,
        TimeProvider = clock,
        LoggerFactory = loggerFactory,
        InvocationRetryDelay = TimeSpan.FromSeconds(1),
        RunExecutions = !answerOnly,
    });
}
catch (LocalStoreException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 1;
}

await using var service = opened;
service.Register(FunctionName, OrderWorkflow.Definition).Start();
using var client = service.CreateClient();
Console.WriteLine($"Local durable service on {service.Endpoint} — store {service.DatabasePath}{(options.Fast ? " — clock x10" : string.Empty)}");

switch (options.Command)
{
    case "list":
        var all = await client.ListDurableExecutionsByFunctionAsync(FunctionName, new ListDurableExecutionsByFunctionQuery { MaxItems = 1000 });
        foreach (var e in all.DurableExecutions)
        {
            Console.WriteLine($"  {e.DurableExecutionName,-28} {Token(e.Status),-10} started {Local(e.StartTimestamp)}{(e.EndTimestamp is { } end ? "  ended " + Local(end) : string.Empty)}");
        }

        Console.WriteLine($"{all.DurableExecutions.Count} execution(s).");
        return 0;

    case "send-callback":
        var target = await FindCallbackAsync(options.CallbackId!);
        try
        {
            await client.SendCallbackSuccessAsync(options.CallbackId!, options.CallbackJson!);
        }
        catch (CheckpointException ex) when (ex.StatusCode is >= 400 and < 500)
        {
            Console.Error.WriteLine(ex.ErrorCode switch
            {
                "CallbackTimeoutException" => $"Callback {options.CallbackId} was already answered, or it timed out: nothing was sent. ({ex.Message})",
                "ResourceNotFoundException" => $"No callback {options.CallbackId} in {service.DatabasePath}. A suspended order's history prints its callback id (--resume <name>).",
                _ => $"The callback was refused ({ex.ErrorCode}): {ex.Message}",
            });
            return 1;
        }

        var targetName = target is null ? null : (await client.GetDurableExecutionAsync(target)).DurableExecutionName;
        Console.WriteLine($"Callback {options.CallbackId} completed{(targetName is null ? string.Empty : $" for '{targetName}'")}; the answer is stored in {service.DatabasePath}.");
        Console.WriteLine("The execution continues when a service runs it:");
        Console.WriteLine($"  dotnet run --project examples/OrderProcessing -- --resume {targetName ?? "<name>"}");
        return 0;

    case "resume":
        var found = await client.ListDurableExecutionsByFunctionAsync(FunctionName, new ListDurableExecutionsByFunctionQuery { DurableExecutionName = options.Name });
        if (found.DurableExecutions.SingleOrDefault() is not { DurableExecutionArn: { } resumeArn })
        {
            Console.Error.WriteLine($"No execution named '{options.Name}' in {service.DatabasePath}. Try --list.");
            return 1;
        }

        Console.WriteLine($"Resumed '{options.Name}' from SQLite; history so far:");
        return await FollowAsync(resumeArn, printFromEventId: 0);

    default:
        var name = options.Name ?? "order-" + clock.GetUtcNow().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var order = new OrderRequest(name, "jane@example.com", 42.50m, ["book", "lamp"]);
        var arn = service.StartExecution(FunctionName, JsonSerializer.Serialize(order, OrderWorkflow.Definition.Options.JsonOptions), name);
        Console.WriteLine($"Started execution '{name}'.");
        return await FollowAsync(arn, printFromEventId: 0, detach: options.Command == "detach");
}

// Polls GetDurableExecution and GetDurableExecutionHistory over HTTP, printing each new event, until the execution ends
// (or, with detach, until it is suspended on a wait or a callback).
async Task<int> FollowAsync(string executionArn, int printFromEventId, bool detach = false)
{
    var printed = printFromEventId;
    var approved = new HashSet<string>(StringComparer.Ordinal);
    while (true)
    {
        var history = await client.GetDurableExecutionHistoryAsync(executionArn, includeExecutionData: true, maxItems: 1000);
        var execution = await client.GetDurableExecutionAsync(executionArn);
        foreach (var e in history.Events.Where(e => e.EventId > printed))
        {
            Console.WriteLine(Describe(e));
            printed = e.EventId;
            if (e.EventType == HistoryEventType.InvocationCompleted && e.EventId == history.Events[^1].EventId && execution.Status == ExecutionStatus.Running)
            {
                Console.WriteLine("          ... suspended (PENDING): nothing runs until a timer or callback resumes it");
            }
        }

        if (execution.Status != ExecutionStatus.Running)
        {
            Console.WriteLine();
            Console.WriteLine($"Execution '{execution.DurableExecutionName}' {Token(execution.Status)}: {execution.Result ?? execution.Error?.ErrorMessage}");
            Console.WriteLine("History:");
            Console.Write(HistoryText.Table(history.Events, TimeZoneInfo.Local));

            return execution.Status == ExecutionStatus.Succeeded ? 0 : 1;
        }

        // Attached, this process plays the manager: once the workflow is suspended on its approval callback, approve it.
        if (!detach && history.Events.LastOrDefault() is { EventType: HistoryEventType.InvocationCompleted }
            && history.Events.LastOrDefault(e => e.EventType == HistoryEventType.CallbackStarted) is { Details.CallbackId: { } openId } started
            && !history.Events.Any(e => e.Id == started.Id && e.EventId > started.EventId && e.EventType != HistoryEventType.InvocationCompleted)
            && approved.Add(openId))
        {
            Console.WriteLine("          ... the manager approves the order (SendDurableExecutionCallbackSuccess)");
            await client.SendCallbackSuccessAsync(openId, "{\"approved\":true,\"by\":\"manager@example.com\"}");
        }

        var last = history.Events.LastOrDefault();
        var suspendedOn = history.Events.LastOrDefault(e => e.EventType is HistoryEventType.WaitStarted or HistoryEventType.CallbackStarted);
        if (detach && last?.EventType == HistoryEventType.InvocationCompleted && suspendedOn is not null
            && !history.Events.Any(e => e.EventId > suspendedOn.EventId && e.Id == suspendedOn.Id && e.EventType != HistoryEventType.InvocationCompleted))
        {
            Console.WriteLine();
            Console.WriteLine($"'{execution.DurableExecutionName}' is suspended on '{suspendedOn.Name}' and stored in {service.DatabasePath}.");
            Console.WriteLine("This process exits now; continue it later with:");
            Console.WriteLine($"  dotnet run --project examples/OrderProcessing -- --resume {execution.DurableExecutionName}");
            return 0;
        }

        await Task.Delay(TimeSpan.FromMilliseconds(250));
    }
}

async Task<string?> FindCallbackAsync(string callbackId)
{
    var running = await client.ListDurableExecutionsByFunctionAsync(FunctionName, new ListDurableExecutionsByFunctionQuery { Statuses = [ExecutionStatus.Running], MaxItems = 1000 });
    foreach (var e in running.DurableExecutions)
    {
        var history = await client.GetDurableExecutionHistoryAsync(e.DurableExecutionArn!, maxItems: 1000);
        if (history.Events.Any(h => h.EventType == HistoryEventType.CallbackStarted && h.Details.CallbackId == callbackId))
        {
            return e.DurableExecutionArn;
        }
    }

    return null;
}

// The shared history renderer (the durable CLI's history command prints with it too), plus this example's own hint.
string Describe(HistoryEvent e) => e.EventType == HistoryEventType.CallbackStarted
    ? $"  [{Local(e.EventTimestamp)}] #{e.EventId,-2} callback '{e.Name}' created; complete it with --send-callback {e.Details.CallbackId} '{{\"approved\":true,\"by\":\"you\"}}'"
    : HistoryText.Line(e, TimeZoneInfo.Local);

static string Local(DateTimeOffset? t) => HistoryText.Time(t, TimeZoneInfo.Local);

static string Token(ExecutionStatus s) => UpperSnakeEnumConverter<ExecutionStatus>.ToToken(s);

/// <summary>The parsed command line.</summary>
internal sealed record CommandLine(string Command, string Database, bool Fast, string? Name, string? CallbackId, string? CallbackJson)
{
    public static CommandLine? Parse(string[] args)
    {
        string command = "run", database = Path.Combine(".durable", "orders.db");
        string? name = null, callbackId = null, json = null;
        var fast = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--fast": fast = true; break;
                case "--detach": command = "detach"; break;
                case "--list": command = "list"; break;
                case "--db" when i + 1 < args.Length: database = args[++i]; break;
                case "--name" when i + 1 < args.Length: name = args[++i]; break;
                case "--resume" when i + 1 < args.Length: command = "resume"; name = args[++i]; break;
                case "--send-callback" when i + 2 < args.Length: command = "send-callback"; callbackId = args[++i]; json = args[++i]; break;
                default: return null;
            }
        }

        return new CommandLine(command, database, fast, name, callbackId, json);
    }
}

/// <summary>A clock that runs <c>factor</c> times faster than real time (timers fire early by the same factor), for a quick demo.</summary>
internal sealed class FastClock(double factor) : TimeProvider
{
    private readonly DateTimeOffset _origin = System.GetUtcNow();
    private readonly long _start = System.GetTimestamp();

    public override DateTimeOffset GetUtcNow() => _origin + (System.GetElapsedTime(_start) * factor);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        => System.CreateTimer(callback, state, Scale(dueTime), Scale(period));

    private TimeSpan Scale(TimeSpan t) => t == Timeout.InfiniteTimeSpan ? t : t / factor;
}

/// <summary>Writes workflow and service log lines (information and up) to the console.</summary>
internal sealed class ConsoleLines : ILoggerFactory, ILogger
{
    public void AddProvider(ILoggerProvider provider)
    {
    }

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            Console.WriteLine($"    log {logLevel.ToString().ToLowerInvariant()}: {formatter(state, exception)}");
        }
    }

    public void Dispose()
    {
    }
}
