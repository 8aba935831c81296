using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PhotoStudio.Data;
using PhotoStudio.Features.Api;

namespace PhotoStudio.Features.Admin.Integrations;

/// <summary>
/// Sends due webhook deliveries. Each is claimed in its own transaction with <c>FOR UPDATE SKIP LOCKED</c> and stays
/// locked while it is posted, so instances sweeping at once never send one delivery twice; a process that dies
/// mid-post leaves it pending and it is sent again (receivers tell repeats by the event id). A 2xx answer delivers it;
/// anything else (or no answer in time) is retried with back-off; an endpoint that has failed for a whole day
/// (<see cref="WebhookOptions.DisableAfterHours"/>) is switched off and shown as such to the admins.
/// </summary>
/// <remarks>
/// The request: <c>POST</c> with a JSON body <c>{"id":"evt_…","type":…,"occurredAt":…,"data":{…}}</c> (data is the
/// booking or client as the API shows it when sent; an erased client is only its id) and the headers
/// <c>PhotoStudio-Event-Id</c>, <c>PhotoStudio-Timestamp</c> (Unix seconds) and
/// <c>PhotoStudio-Signature: sha256=</c> the lowercase hex HMAC-SHA256 of <c>{timestamp}.{body}</c> keyed with the
/// endpoint's secret. A receiver recomputes it, compares in constant time, and refuses a timestamp more than five
/// minutes old (a replay).
/// </remarks>
public sealed class WebhookSender(IServiceScopeFactory scopes, WebhookTargets targets, TimeProvider clock, IOptions<WebhookOptions> options,
    ILogger<WebhookSender> log) : IDisposable
{
    public const string EventIdHeader = "PhotoStudio-Event-Id";
    public const string TimestampHeader = "PhotoStudio-Timestamp";
    public const string SignatureHeader = "PhotoStudio-Signature";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient http = new(targets.Handler()) { Timeout = TimeSpan.FromSeconds(options.Value.TimeoutSeconds) };

    /// <summary>The signature header's value for this body at this time.</summary>
    public static string Sign(string secret, long timestamp, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret),
            Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + "." + body)));

    /// <summary>Sends what is due, at most <paramref name="batch"/> deliveries; returns how many were delivered.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct, int batch = 200)
    {
        var delivered = 0;
        for (var i = 0; i < batch && !ct.IsCancellationRequested; i++)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<StudioDb>();
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var now = clock.GetUtcNow().UtcDateTime;
            var delivery = await db.WebhookDeliveries
                .FromSql($"""
                    SELECT d.* FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
                    WHERE d.status = 'Pending' AND d.next_attempt_at <= {now} AND e.enabled
                    ORDER BY d.next_attempt_at, d.id LIMIT 1 FOR UPDATE OF d SKIP LOCKED
                    """)
                .Include(d => d.Event).Include(d => d.Endpoint).SingleOrDefaultAsync(ct);
            if (delivery is null) break;

            var endpoint = delivery.Endpoint!;
            var body = await BodyAsync(scope.ServiceProvider, delivery.Event!, ct);
            var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
            var secret = scope.ServiceProvider.GetRequiredService<Webhooks>().Unseal(endpoint.SecretSealed);
            delivery.Attempts++;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                request.Headers.Add(EventIdHeader, EventId(delivery.EventId));
                request.Headers.Add(TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
                request.Headers.Add(SignatureHeader, Sign(secret, timestamp, body));
                request.Headers.UserAgent.ParseAdd("PhotoStudio-Webhooks/1");
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
                delivery.LastStatusCode = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    delivery.Status = WebhookDeliveryStatus.Delivered;
                    delivery.DeliveredAt = clock.GetUtcNow().UtcDateTime;
                    delivery.LastError = "";
                    endpoint.FailingSince = null;
                    delivered++;
                }
                else Failed(delivery, endpoint, now, $"The endpoint answered {(int)response.StatusCode}.");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                delivery.LastStatusCode = null;
                Failed(delivery, endpoint, now, e is TaskCanceledException
                    ? $"No answer within {options.Value.TimeoutSeconds} s."
                    : Truncate(e.InnerException?.Message ?? e.Message, 500));
            }
            await db.SaveChangesAsync(CancellationToken.None);
            await tx.CommitAsync(CancellationToken.None);
        }
        return delivered;
    }

    public static string EventId(long id) => "evt_" + id.ToString(CultureInfo.InvariantCulture);

    private void Failed(WebhookDelivery delivery, WebhookEndpoint endpoint, DateTime now, string error)
    {
        delivery.LastError = error;
        var wait = Math.Min(3600, options.Value.RetryBaseSeconds * Math.Pow(2, Math.Min(delivery.Attempts - 1, 20)));
        delivery.NextAttemptAt = now.AddSeconds(wait);
        endpoint.FailingSince ??= now;
        log.LogWarning("Webhook delivery {Id} of event {EventId} to endpoint {Endpoint} failed (attempt {Attempts}): {Error}",
            delivery.Id, delivery.EventId, endpoint.Id, delivery.Attempts, error);
        if (endpoint.Enabled && now - endpoint.FailingSince >= TimeSpan.FromHours(options.Value.DisableAfterHours))
        {
            endpoint.Enabled = false;
            endpoint.DisabledReason = Truncate(
                $"Switched off on {now:yyyy-MM-dd HH:mm} UTC: every delivery failed for {options.Value.DisableAfterHours} hours (last: {error})", 500);
            log.LogError("Webhook endpoint {Endpoint} is switched off: its deliveries failed for {Hours} hours", endpoint.Id, options.Value.DisableAfterHours);
        }
    }

    private static async Task<string> BodyAsync(IServiceProvider services, WebhookEvent e, CancellationToken ct)
    {
        var db = services.GetRequiredService<StudioDb>();
        object? data = e.Type.StartsWith("booking.", StringComparison.Ordinal)
            ? (await services.GetRequiredService<ApiRepresentations>().BookingsAsync(db.Bookings.Where(b => b.Id == e.ResourceId), ct)).SingleOrDefault()
            : e.Type == "client.erased"
                ? null
                : (object?)await ApiRepresentations.Clients(db.Clients.Where(c => c.Id == e.ResourceId && c.ErasedAt == null)).SingleOrDefaultAsync(ct);
        return JsonSerializer.Serialize(new
        {
            id = EventId(e.Id),
            type = e.Type,
            occurredAt = DateTime.SpecifyKind(e.At, DateTimeKind.Utc),
            data = data ?? new { id = e.ResourceId },
        }, Json);
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];

    public void Dispose() => http.Dispose();
}
