using Microsoft.Extensions.Time.Testing;

namespace Durable.Fluent.Tests.Checkpointing.Http;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that reports the timers code under test creates on it, so a test advances the clock
/// only once the timer it means to fire exists (a timer created after an advance is due relative to the new time and
/// would never fire). Waiting for the timer replaces a real sleep that only usually outlasted its creation.
/// </summary>
internal sealed class TimerWatchingClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly object _gate = new();
    private readonly List<TimeSpan> _dueTimes = [];
    private TaskCompletionSource _created = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        lock (_gate)
        {
            _dueTimes.Add(dueTime);
            _created.TrySetResult();
            _created = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        return timer;
    }

    /// <summary>
    /// Waits until a timer whose due time matches has been created on this clock, and returns that due time.
    /// <paramref name="guard"/> only bounds a hang.
    /// </summary>
    public async Task<TimeSpan> WaitForTimerAsync(Func<TimeSpan, bool> match, TimeSpan guard)
    {
        using var deadline = new CancellationTokenSource(guard);
        while (true)
        {
            Task created;
            lock (_gate)
            {
                foreach (var due in _dueTimes)
                {
                    if (match(due))
                    {
                        return due;
                    }
                }

                created = _created.Task;
            }

            try
            {
                await created.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                lock (_gate)
                {
                    Assert.Fail($"No matching timer was created on the fake clock within {guard}; due times created: {string.Join(", ", _dueTimes)}.");
                }
            }
        }
    }
}
