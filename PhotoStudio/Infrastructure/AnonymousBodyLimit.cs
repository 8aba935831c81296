namespace PhotoStudio.Infrastructure;

/// <summary>
/// Anyone can post to the public pages, so a visitor who is not signed in may send at most 64 KB; signed-in staff keep
/// the server's own limits. Too large is a 413 with the friendly error page, whether the size is announced up front
/// or only found while the body is read.
/// </summary>
public static class AnonymousBodyLimit
{
    /// <summary>The booking wizard's longest form (notes of 2000 characters, percent-encoded) stays far below this.</summary>
    public const long MaxBytes = 64 * 1024;

    /// <summary>Place after authentication, which says whether the request is signed in.</summary>
    public static IApplicationBuilder UseAnonymousBodyLimit(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.User.Identity?.IsAuthenticated == true)
        {
            await next(context);
            return;
        }
        if (context.Request.ContentLength > MaxBytes)
        {
            Refuse(context);
            return;
        }
        // A chunked body announces no length: the stream counts. (Kestrel's own limit is left alone: it would throw
        // inside the form reader before this stream knew, leaving the reader to answer 400.)
        var limited = new LimitedStream(context.Request.Body);
        context.Request.Body = limited;
        try
        {
            // A post that takes no antiforgery token (PublicPages) has its form read by model binding alone, which turns
            // a refused read into a model error and answers 422: a chunked form is read here first instead.
            if (context.Request.ContentLength is null && context.Request.HasFormContentType)
            {
                try
                {
                    await context.Request.ReadFormAsync(context.RequestAborted);
                }
                catch (InvalidDataException) when (!limited.Exceeded)
                {
                    // A malformed form: the 400 the antiforgery check or model binding would have answered.
                    context.Response.StatusCode = StatusCodes.Status400BadRequest;
                    return;
                }
            }
            await next(context);
        }
        catch (Exception e) when (limited.Exceeded && !context.Response.HasStarted && e is BadHttpRequestException or IOException or InvalidDataException)
        {
            context.Response.Clear();
        }
        // The form reader (antiforgery, model binding) may have turned the refused read into a 400 of its own.
        if (limited.Exceeded && !context.Response.HasStarted) Refuse(context);
    });

    /// <summary>413, and no body left to read: the error page is rendered by re-executing this request, which must not read it again.</summary>
    private static void Refuse(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        context.Request.Body = Stream.Null;
        context.Request.ContentLength = 0;
        context.Request.ContentType = null;
    }

    private sealed class LimitedStream(Stream inner) : Stream
    {
        private long read;

        public bool Exceeded { get; private set; }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) =>
            Count(await inner.ReadAsync(buffer, ct));

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            Count(await inner.ReadAsync(buffer.AsMemory(offset, count), ct));

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        private int Count(int n)
        {
            read += n;
            if (read <= MaxBytes) return n;
            Exceeded = true;
            throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
