namespace Durable.Fluent.Checkpointing;

/// <summary>
/// One sequential flow of the interpreter (the workflow's root chain, or one worker of a map or parallel) as the batcher sees
/// it: which of its checkpoints it still owes. A lane that <see cref="CheckpointBatcher.Defer"/>s an update (a step's SUCCEED)
/// passes the result on at once, and settles the debt (<see cref="CheckpointBatcher.SettleAsync"/>) before it next runs user
/// code — so in synchronous mode no body ever sees a value that is not durable yet, and the SUCCEED rides with whatever the
/// lane checkpoints next (a wait's START, an at-most-once START) or with the flush before its next body.
/// </summary>
internal sealed class CheckpointLane
{
    private long _owed;

    /// <summary>Creates a lane that owes what <paramref name="parent"/> owes (a forked worker's body depends on the parent's values).</summary>
    public CheckpointLane(CheckpointLane? parent = null) => _owed = parent?.Owed ?? 0;

    /// <summary>The sequence number of the last update this lane must see acknowledged before it runs user code (0: none).</summary>
    public long Owed => Volatile.Read(ref _owed);

    /// <summary>Records that the lane owes the update with sequence number <paramref name="sequence"/>.</summary>
    public void Owe(long sequence)
    {
        if (sequence > Volatile.Read(ref _owed))
        {
            Volatile.Write(ref _owed, sequence);
        }
    }
}
