using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace PhotoStudio.Tests.Support;

/// <summary>
/// The built app as a second operating-system process on its own loopback port, sharing a test's database:
/// what a second instance behind a load balancer is. Started from the same build as the tests
/// (<c>PhotoStudio/bin/&lt;Configuration&gt;/net10.0/PhotoStudio.dll</c>), killed (with its children) on dispose.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly TaskCompletionSource started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AppProcess(Process process, string baseUrl)
    {
        this.process = process;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    /// <summary>What the process wrote to stdout and stderr so far, for failure messages.</summary>
    public string Output { get { lock (output) return output.ToString(); } }

    /// <summary>
    /// Starts the app on a free port against <paramref name="connectionString"/> and returns at once, so the caller
    /// can arrange other things meanwhile; <see cref="WaitUntilReadyAsync"/> before the first request.
    /// </summary>
    /// <param name="settings">More configuration, as environment variables (<c>Jobs__Enabled</c> …); they win over the defaults here.</param>
    public static AppProcess Start(string connectionString, string environment = "Testing", IReadOnlyDictionary<string, string>? settings = null)
    {
        var (root, configuration) = BuildOutput();
        var dll = Path.Combine(root, "PhotoStudio", "bin", configuration, "net10.0", "PhotoStudio.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"The app is not built: {dll} is missing.");

        var baseUrl = $"http://127.0.0.1:{FreePort()}";
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", baseUrl])
        {
            // The content root: the app finds ../wwwroot from here, as under ./ops/run.
            WorkingDirectory = Path.Combine(root, "PhotoStudio"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        start.Environment["ConnectionStrings__Studio"] = connectionString;
        // Logs go where the other test apps' logs go, so ./ops/test searches them for secrets too.
        start.Environment["Logging__File"] = Path.Combine(TestSecrets.Folder, $"app-{Environment.ProcessId}-child.log");
        // The demo hashes verify at their own count anyway; this keeps a sign-in from rehashing them (and renewing the security stamp).
        start.Environment[StudioApp.PasswordIterationsSetting.Replace(":", "__")] = StudioApp.TestPasswordIterations.ToString(CultureInfo.InvariantCulture);
        start.Environment["RateLimits__SignInPerIpPerMinute"] = "10000";
        start.Environment["RateLimits__SignInPerAccountPerMinute"] = "10000";
        start.Environment["RateLimits__GlobalPerIpPerMinute"] = "100000";
        start.Environment["RateLimits__PublicPostsPerIpPerMinute"] = "10000";
        // No scheduler unless a test is about jobs; no mail leaves a test app unless it points at the test's server.
        start.Environment["Jobs__Enabled"] = "false";
        start.Environment["Mail__PickupDirectory"] = Path.Combine(Path.GetTempPath(), "photostudio-test-mail");
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) start.Environment[key] = value;

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var app = new AppProcess(process, baseUrl);
        process.Exited += (_, _) => app.exited.TrySetResult();
        if (!process.Start()) throw new InvalidOperationException("dotnet did not start");
        process.OutputDataReceived += (_, e) => app.Append(e.Data);
        process.ErrorDataReceived += (_, e) => app.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return app;
    }

    /// <summary>
    /// SIGKILL, as a crash or the OOM killer does: no shutdown, no job finishes, open transactions die with their
    /// connections. Returns once the process is gone.
    /// </summary>
    public async Task KillAsync()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    /// <summary>
    /// SIGTERM, as systemd, Docker and Kubernetes stop a process: the host stops taking connections, lets the requests
    /// in flight finish, stops its services and exits. Returns at once; <see cref="ExitedAsync"/> waits for the end.
    /// </summary>
    public void Terminate()
    {
        const int sigterm = 15;
        if (kill(process.Id, sigterm) != 0)
            throw new InvalidOperationException($"kill({process.Id}, SIGTERM) failed with errno {Marshal.GetLastPInvokeError()}");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    public bool HasExited => process.HasExited;

    /// <summary>The process's exit code once it has ended; a <see cref="TimeoutException"/> if it is still running after <paramref name="timeout"/>.</summary>
    public async Task<int> ExitedAsync(TimeSpan timeout)
    {
        await exited.Task.WaitAsync(timeout);
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    /// <summary>A browser-like client of this process: keeps cookies, does not follow redirects (tests assert on them).</summary>
    public HttpClient NewClient() =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true }) { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(30) };

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        process.Dispose();
    }

    /// <summary>
    /// Waits until the host logs "Application started" (migrations ran before it listens), then checks that
    /// /health/ready answers 200; fails with the process's output.
    /// </summary>
    public async Task WaitUntilReadyAsync()
    {
        var outcome = await Task.WhenAny(started.Task, exited.Task).WaitAsync(StartTimeout)
            .ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null);
        if (outcome is null)
            throw new TimeoutException($"The app at {BaseUrl} did not start within {StartTimeout.TotalSeconds} s:\n{Output}");
        if (outcome == exited.Task)
            throw new InvalidOperationException($"The app process exited with {process.ExitCode} before it was ready:\n{Output}");
        using var http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync("/health/ready");
        if (response.StatusCode != HttpStatusCode.OK)
            throw new InvalidOperationException($"{BaseUrl}/health/ready answered {(int)response.StatusCode}:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (output) output.AppendLine(line);
        if (line.Contains("Application started")) started.TrySetResult();
    }

    /// <summary>The repository root and build configuration, from the test binaries' folder (PhotoStudio.Tests/bin/&lt;Configuration&gt;/net10.0/).</summary>
    private static (string Root, string Configuration) BuildOutput()
    {
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent?.Name ?? throw new InvalidOperationException($"Unexpected test output folder {framework}");
        return (TestDatabase.RepositoryRoot, configuration);
    }

    /// <summary>A loopback port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
