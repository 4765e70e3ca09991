using Durable.Fluent.Cli;
using Durable.Fluent.Cli.Output;

// The durable command: see DurableCli for the commands and README.md for their use.
return await DurableCli.RunAsync(args, CliConsole.CreateSystem()).ConfigureAwait(false);
