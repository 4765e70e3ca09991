namespace Durable.Fluent.Testing;

/// <summary>A clock that only moves when told to. Waits, retry delays and callback timeouts take no real time under it.</summary>
public sealed class VirtualClock : TimeProvider
{
    private readonly object _gate = new();
    private DateTimeOffset _now;

    /// <summary>Creates the clock at <paramref name="start"/> (default 2025-01-01T00:00:00Z).</summary>
    /// <param name="start">The initial time.</param>
    public VirtualClock(DateTimeOffset? start = null) => _now = start ?? new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    /// <summary>Moves the clock forward.</summary>
    /// <param name="by">How far; must not be negative.</param>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        lock (_gate)
        {
            _now += by;
        }
    }

    /// <summary>Moves the clock to <paramref name="time"/> if that is later than now.</summary>
    /// <param name="time">The target time.</param>
    public void AdvanceTo(DateTimeOffset time)
    {
        lock (_gate)
        {
            if (time > _now)
            {
                _now = time;
            }
        }
    }
}
