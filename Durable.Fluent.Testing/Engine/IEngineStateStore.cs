using Durable.Fluent.Checkpointing;

namespace Durable.Fluent.Testing.Engine;

/// <summary>
/// The persistence seam of <see cref="LocalDurableEngine"/>: per-execution snapshots. The engine loads every execution when
/// it is created and saves an execution, under its lock, at the end of every call that changed it; a save must be atomic
/// (all of the execution's rows or none), so a crash leaves the last completed call on disk.
/// </summary>
internal interface IEngineStateStore
{
    /// <summary>Every stored execution, in creation order.</summary>
    IReadOnlyList<ExecutionRecord> LoadAll();

    /// <summary>One stored execution, or <see langword="null"/> if it was never saved.</summary>
    ExecutionRecord? Load(string arn);

    /// <summary>Saves the execution atomically; throws when nothing was saved.</summary>
    void Save(ExecutionRecord rec);
}
