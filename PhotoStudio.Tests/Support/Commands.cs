using System.Diagnostics;

namespace PhotoStudio.Tests.Support;

/// <summary>What a command printed and how it ended.</summary>
public sealed record CommandResult(int ExitCode, string Stdout, string Stderr)
{
    public string Output => Stdout + Stderr;
}

/// <summary>Runs the tools an operator runs (promtool, ops/backup, ops/restore) as child processes and collects their output.</summary>
public static class Commands
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <param name="environment">Variables set (or, with a null value, removed) for the child only.</param>
    public static async Task<CommandResult> RunAsync(string file, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? TestDatabase.RepositoryRoot,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) start.Environment.Remove(key);
            else start.Environment[key] = value;
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} ran longer than {Timeout.TotalSeconds} s:\n{await stdout}{await stderr}");
        }
        return new CommandResult(process.ExitCode, await stdout, await stderr);
    }
}
