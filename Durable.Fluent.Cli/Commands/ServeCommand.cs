using System.CommandLine;
using Durable.Fluent.Cli.Loading;
using Durable.Fluent.Cli.Output;
using Durable.Fluent.LocalService;
using Microsoft.Extensions.Logging;

namespace Durable.Fluent.Cli.Commands;

/// <summary>
/// <c>durable serve</c>: the local durable service in the foreground until Ctrl+C — the REST API, the dashboard, a SQLite
/// store, and the functions it runs: .NET workflows from assemblies (members marked <c>[DurableFunction("name")]</c>, or
/// any static <c>Workflow&lt;TIn, TOut&gt;</c> member named with <c>--workflow name=Type.Member</c>), and functions in any
/// language reached over HTTP (<c>--function name=url</c>, registered with <see cref="LocalDurableService.RegisterUrl"/>).
/// The .NET workflows checkpoint in-process unless <c>--checkpoint-over-http</c>
/// (<see cref="LocalDurableServiceOptions.InvokeOverHttp"/>) sends them through the REST API.
/// </summary>
internal static class ServeCommand
{
    public static Command Create(CliConsole console)
    {
        var db = new Option<string>("--db") { Description = "The SQLite file that keeps executions across restarts (created if missing).", DefaultValueFactory = _ => Path.Combine(".durable", "durable.db"), HelpName = "path" };
        var inMemory = new Option<bool>("--in-memory") { Description = "Keep executions in memory only (no --db file)." };
        var port = new Option<int>("--port", "-p") { Description = $"The TCP port (0 picks a free one).", DefaultValueFactory = _ => ServiceConnection.DefaultPort };
        var host = new Option<string>("--host") { Description = "The address to listen on. Anything but loopback needs --allow-non-loopback: the service has no authentication.", DefaultValueFactory = _ => "127.0.0.1" };
        var allowNonLoopback = new Option<bool>("--allow-non-loopback") { Description = "Listen on a non-loopback --host (anyone who reaches the port can start, stop and answer executions)." };
        var assemblies = new Option<string[]>("--assembly", "-a") { Description = "A .NET assembly (.dll) whose [DurableFunction(\"name\")] workflows are served (repeatable).", HelpName = "path" };
        var workflows = new Option<string[]>("--workflow", "-w") { Description = "Serve a static Workflow<TIn, TOut> member of the assemblies under a function name: name=Namespace.Type.Member (repeatable).", HelpName = "name=member" };
        var functions = new Option<string[]>("--function", "-f") { Description = "Serve a durable function reached over HTTP (any language; Lambda's Invoke shape, e.g. tools/js-host or a runtime interface emulator): name=url (repeatable).", HelpName = "name=url" };
        var functionTimeout = new Option<int?>("--function-timeout") { Description = "How long one invocation of a --function may take before it is recorded as timed out and retried (default 900, Lambda's limit).", HelpName = "seconds" };
        var overHttp = new Option<bool>("--checkpoint-over-http") { Description = "The .NET workflows served from --assembly checkpoint through the REST API with the HTTP client, exactly as a deployed function talks to AWS (to test that wire path), instead of in-process (the default: the same checks and errors, without the JSON and loopback HTTP). Functions by --function always use HTTP." };
        var sync = new Option<string?>("--sync") { Description = "How the --db file is written: full (the default) syncs every commit to disk before answering, so answered calls survive a power loss; normal answers once the commit is in SQLite's write-ahead log (a crash or kill -9 of the service still loses nothing; a power loss may lose the last answered calls).", HelpName = "full|normal" };
        sync.AcceptOnlyFromAmong("full", "normal");
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log every invocation (debug level)." };
        var command = new Command("serve", "Run the local durable service (REST API, dashboard, SQLite store) until Ctrl+C.")
        {
            db, inMemory, sync, port, host, allowNonLoopback, assemblies, workflows, functions, functionTimeout, overHttp, verbose,
        };
        CommandActions.Set(command, console, async (parse, ct) =>
        {
            var urls = FunctionUrls(parse.GetValue(functions) ?? []);
            var timeoutSeconds = parse.GetValue(functionTimeout);
            if (timeoutSeconds is <= 0)
            {
                throw new UsageException($"--function-timeout must be a positive number of seconds, not {timeoutSeconds}.");
            }

            var registrations = Registrations(parse.GetValue(assemblies) ?? [], parse.GetValue(workflows) ?? []);
            var path = parse.GetValue(inMemory) ? null : parse.GetValue(db);
            var syncMode = parse.GetValue(sync);
            if (syncMode is not null && path is null)
            {
                throw new UsageException("--sync applies to the --db file; executions kept --in-memory are never written to disk. Drop --sync or --in-memory.");
            }

            if (path is not null && Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder)
            {
                Directory.CreateDirectory(folder);
            }

            var portValue = parse.GetValue(port);
            using var logger = new ConsoleLoggerFactory(console, parse.GetValue(verbose) ? LogLevel.Debug : LogLevel.Information);
            LocalDurableService service;
            LocalDurableServiceOptions options;
            try
            {
                service = new LocalDurableService(options = new LocalDurableServiceOptions
                {
                    DatabasePath = path,
                    Port = portValue,
                    Host = parse.GetValue(host)!,
                    AllowNonLoopback = parse.GetValue(allowNonLoopback),
                    LoggerFactory = logger,
                    FunctionTimeout = timeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromMinutes(15),
                    InvokeOverHttp = parse.GetValue(overHttp),
                    SyncEachCommit = syncMode != "normal",
                });
            }
            catch (ArgumentException ex)
            {
                throw new UsageException(ex.Message.Replace("AllowNonLoopback", "--allow-non-loopback", StringComparison.Ordinal).Split(" (Parameter", 2)[0]);
            }

            await using (service.ConfigureAwait(false))
            {
                foreach (var (name, workflow) in registrations)
                {
                    try
                    {
                        workflow.Register(service, name);
                    }
                    catch (ArgumentException ex)
                    {
                        throw new UsageException(ex.Message.Split(" (Parameter", 2)[0]);
                    }
                }

                foreach (var function in urls)
                {
                    try
                    {
                        service.RegisterUrl(function.Name, function.Url);
                    }
                    catch (ArgumentException ex)
                    {
                        throw new UsageException($"--function {function.Name}: " + ex.Message.Split(" (Parameter", 2)[0]);
                    }
                }

                try
                {
                    service.Start();
                }
                catch (IOException ex)
                {
                    throw new CommandFailedException($"Cannot listen on {parse.GetValue(host)}:{portValue}: {ex.Message} Pick another --port (0 for a free one).");
                }

                var store = service.DatabasePath is not { } file ? "in memory"
                    : options.SyncEachCommit ? $"{file}, every commit synced to disk"
                    : $"{file}, --sync normal: commits in the write-ahead log, kill -9 safe";
                console.Out.WriteLine($"Local durable service on {service.Endpoint} (store: {store})");
                if (registrations.Count > 0)
                {
                    console.Out.WriteLine(parse.GetValue(overHttp)
                        ? $"  checkpoints: over HTTP (--checkpoint-over-http): the .NET workflows call {service.Endpoint} with the HTTP client"
                        : "  checkpoints: in-process (--checkpoint-over-http sends them through the REST API instead)");
                }

                console.Out.WriteLine($"  dashboard: {service.Endpoint}dashboard/");
                foreach (var (name, workflow) in registrations)
                {
                    console.Out.WriteLine($"  function {name}: {workflow.Name}");
                }

                foreach (var function in service.FunctionUrls.OrderBy(f => f.Name, StringComparer.Ordinal))
                {
                    console.Out.WriteLine($"  function {function.Name}: {function.Url} (by URL, timeout {function.Timeout?.TotalSeconds}s; point its SDK's Lambda endpoint at {service.Endpoint})");
                }

                if (registrations.Count == 0 && urls.Count == 0)
                {
                    console.Out.WriteLine("  no functions: executions can be listed and answered, but none can start (pass --assembly or --function).");
                }

                console.Out.WriteLine("Press Ctrl+C to stop.");
                try
                {
                    await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    console.Out.WriteLine("Stopping: running invocations are cancelled and retried when the service next starts.");
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Each <c>--function name=url</c>, parsed.</summary>
    private static List<FunctionUrl> FunctionUrls(string[] specs)
    {
        var result = new List<FunctionUrl>();
        foreach (var spec in specs)
        {
            try
            {
                result.Add(FunctionUrl.Parse(spec));
            }
            catch (FormatException ex)
            {
                throw new UsageException("--function: " + ex.Message);
            }
        }

        return result;
    }

    /// <summary>The functions to serve: every [DurableFunction] member of the assemblies, plus each <c>name=member</c>.</summary>
    private static List<(string Name, LoadedWorkflow Workflow)> Registrations(string[] assemblyPaths, string[] workflowSpecs)
    {
        if (assemblyPaths.Length == 0 && workflowSpecs.Length > 0)
        {
            throw new UsageException("--workflow names a member of an --assembly: pass the assembly too.");
        }

        var catalog = WorkflowCatalog.Load(assemblyPaths);
        var result = new List<(string, LoadedWorkflow)>();
        foreach (var member in catalog.Members.Where(m => m.FunctionNames.Count > 0))
        {
            var loaded = member.Load();
            result.AddRange(member.FunctionNames.Select(name => (name, loaded)));
        }

        foreach (var spec in workflowSpecs)
        {
            var eq = spec.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == spec.Length - 1)
            {
                throw new UsageException($"--workflow '{spec}' is not name=Namespace.Type.Member.");
            }

            result.Add((spec[..eq], catalog.Find(spec[(eq + 1)..]).Load()));
        }

        if (assemblyPaths.Length > 0 && result.Count == 0)
        {
            throw new UsageException($"No workflow to serve: mark a static Workflow<TIn, TOut> member [DurableFunction(\"name\")], or pass --workflow name=Type.Member. {catalog.Choices()}");
        }

        return result;
    }
}
