namespace Durable.Fluent.Network;

/// <summary>
/// A clock that runs <c>factor</c> times faster than real time, for the local service: a 1 s wait fires after 1/factor s
/// of real time. Timestamps (<see cref="TimeProvider.GetTimestamp"/>) stay real, so measured durations are real.
/// </summary>
internal sealed class ScaledClock(double factor) : TimeProvider
{
    private readonly DateTimeOffset _origin = System.GetUtcNow();
    private readonly long _start = System.GetTimestamp();

    public double Factor => factor;

    public override DateTimeOffset GetUtcNow() => _origin + (System.GetElapsedTime(_start) * factor);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        => System.CreateTimer(callback, state, Scale(dueTime), Scale(period));

    private TimeSpan Scale(TimeSpan t) => t == Timeout.InfiniteTimeSpan || t <= TimeSpan.Zero ? t : t / factor;
}
