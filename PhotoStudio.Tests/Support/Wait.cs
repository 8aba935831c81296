namespace PhotoStudio.Tests.Support;

/// <summary>
/// Waiting for a condition, not for a time: the probe is read on a steady beat until it holds, within a timeout. The
/// one place the tests poll; what they wait for (a row, a message at the SMTP server, a page's banner) has no event
/// to await.
/// </summary>
public static class Wait
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Reads <paramref name="probe"/> until <paramref name="done"/> holds and returns that reading; fails with the last reading at the timeout.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null, int pollMilliseconds = 50)
    {
        var (value, held) = await ReadAsync(probe, done, timeout ?? DefaultTimeout, pollMilliseconds);
        return held ? value : throw new TimeoutException($"Waited {(timeout ?? DefaultTimeout).TotalSeconds} s for {what}; last seen: {value}");
    }

    public static Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, int pollMilliseconds = 50) =>
        UntilAsync(condition, done => done, what, timeout, pollMilliseconds);

    /// <summary>
    /// Reads <paramref name="probe"/> until <paramref name="done"/> holds or the timeout passes, and returns the last
    /// reading either way, for callers whose own assertion on it says more than a timeout would.
    /// </summary>
    public static async Task<T> LastReadingAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null, int pollMilliseconds = 50) =>
        (await ReadAsync(probe, done, timeout ?? DefaultTimeout, pollMilliseconds)).Value;

    private static async Task<(T Value, bool Held)> ReadAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, int pollMilliseconds)
    {
        var deadline = DateTime.UtcNow + timeout;
        using var beat = new PeriodicTimer(TimeSpan.FromMilliseconds(pollMilliseconds));
        while (true)
        {
            var value = await probe();
            if (done(value)) return (value, true);
            if (DateTime.UtcNow > deadline) return (value, false);
            await beat.WaitForNextTickAsync();
        }
    }
}
