using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace PhotoStudio.Tests.Support;

/// <summary>
/// A real HTTP server on a loopback port that records every request it gets and answers with the statuses a test
/// queues (then 200): what an integration's webhook receiver is.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Received(DateTimeOffset At, IReadOnlyDictionary<string, string> Headers, string Body);

    private readonly HttpListener listener = new();
    private readonly ConcurrentQueue<int> answers = new();
    private readonly Task loop;

    public WebhookReceiver()
    {
        Port = AppProcess.FreePort();
        // Any host name: a test may call it by name (localhost) as well as by address.
        listener.Prefixes.Add($"http://*:{Port}/");
        listener.Start();
        loop = Task.Run(ServeAsync);
    }

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}/hooks";
    public ConcurrentQueue<Received> Requests { get; } = new();

    /// <summary>The next requests get these statuses, in order; after them every request gets 200.</summary>
    public void AnswerNext(params int[] statuses) { foreach (var s in statuses) answers.Enqueue(s); }

    /// <summary>Every request from now on gets this status (until <see cref="AnswerNext"/> is emptied and this is reset).</summary>
    public int Otherwise { get; set; } = 200;

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await listener.GetContextAsync(); }
            catch (Exception) when (!listener.IsListening) { return; }
            catch (HttpListenerException) { return; }
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var headers = context.Request.Headers.AllKeys.OfType<string>().ToDictionary(k => k, k => context.Request.Headers[k] ?? "", StringComparer.OrdinalIgnoreCase);
            Requests.Enqueue(new Received(DateTimeOffset.UtcNow, headers, body));
            context.Response.StatusCode = answers.TryDequeue(out var status) ? status : Otherwise;
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        listener.Stop();
        listener.Close();
        try { await loop; } catch (ObjectDisposedException) { }
    }
}
