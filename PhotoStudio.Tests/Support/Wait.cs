namespace PhotoStudio.Tests.Support;

/// <summary>Waiting for a condition, not for a time: the probe is read until it holds, and the test fails with the last reading when it never does.</summary>
public static class Wait
{
    /// <summary>Reads <paramref name="probe"/> until <paramref name="done"/> holds and returns that reading.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null, int pollMilliseconds = 50)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var value = await probe();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Waited {(timeout ?? TimeSpan.FromSeconds(30)).TotalSeconds} s for {what}; last seen: {value}");
            await Task.Delay(pollMilliseconds);
        }
    }

    public static Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, int pollMilliseconds = 50) =>
        UntilAsync(condition, done => done, what, timeout, pollMilliseconds);
}
