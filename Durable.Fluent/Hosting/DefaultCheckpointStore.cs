using Durable.Fluent.Checkpointing;
using Durable.Fluent.Checkpointing.Http;

namespace Durable.Fluent.Hosting;

/// <summary>
/// The checkpoint port a deployed function uses when it does not pass one: one <see cref="LambdaDurableExecutionClient"/>
/// per process, created on first use with options from the environment (AWS_REGION, AWS_ENDPOINT_URL_LAMBDA, the default
/// credential chain). A failed creation is not cached, so the next invocation tries again.
/// </summary>
internal static class DefaultCheckpointStore
{
    private static readonly object Gate = new();
    private static Func<ICheckpointStore> _factory = static () => new LambdaDurableExecutionClient();
    private static ICheckpointStore? _instance;

    public static ICheckpointStore Instance
    {
        get
        {
            if (Volatile.Read(ref _instance) is { } existing)
            {
                return existing;
            }

            lock (Gate)
            {
                return _instance ??= _factory();
            }
        }
    }

    /// <summary>Test hook: replaces the factory and forgets the current instance (which is disposed if it can be).</summary>
    internal static void Reset(Func<ICheckpointStore>? factory = null)
    {
        lock (Gate)
        {
            (_instance as IDisposable)?.Dispose();
            _instance = null;
            _factory = factory ?? (static () => new LambdaDurableExecutionClient());
        }
    }
}
