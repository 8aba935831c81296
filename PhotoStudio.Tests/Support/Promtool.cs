using System.Diagnostics;

namespace PhotoStudio.Tests.Support;

/// <summary>Prometheus's own tool (Debian's prometheus package): its linter over a scrape, and its checks of configuration and rules.</summary>
public static class Promtool
{
    /// <summary><c>PHOTOSTUDIO_PROMTOOL</c> (set by ./ops/test), or <c>promtool</c> on the PATH.</summary>
    public static string Executable => Environment.GetEnvironmentVariable("PHOTOSTUDIO_PROMTOOL") is { Length: > 0 } p ? p : "promtool";

    public static async Task AssertLintCleanAsync(string metrics)
    {
        var psi = new ProcessStartInfo(Executable, ["check", "metrics"])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = Process.Start(psi)!;
        await process.StandardInput.WriteAsync(metrics);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, "promtool check metrics:\n" + output);
    }
}
