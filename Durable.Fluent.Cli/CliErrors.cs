namespace Durable.Fluent.Cli;

/// <summary>The exit codes of the durable command.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Ok = 0;

    /// <summary>The operation failed: the service refused it or could not be reached, the execution failed, the replay differs.</summary>
    public const int Failed = 1;

    /// <summary>The command line is wrong: an unknown command or option, a missing argument, a value that does not parse.</summary>
    public const int Usage = 2;
}

/// <summary>A usage error found by a command (a bad option value, a missing file): exit code 2, the message on standard error.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>The operation failed for a reason the message explains: exit code 1, the message on standard error.</summary>
internal sealed class CommandFailedException(string message) : Exception(message);
