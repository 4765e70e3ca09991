using System.Net;
using System.Text;

namespace Durable.Fluent.Tests.Checkpointing.Http;

/// <summary>A request as the fake handler saw it (the body is read before the client disposes the message).</summary>
internal sealed record CapturedRequest(
    HttpMethod Method,
    Uri Uri,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body)
{
    public string BodyText => Encoding.UTF8.GetString(Body);

    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
}

/// <summary>Captures every request and answers from a script (one responder per attempt; the last one repeats).</summary>
internal sealed class FakeHttpHandler : HttpMessageHandler
{
    private readonly List<Func<CapturedRequest, CancellationToken, Task<HttpResponseMessage>>> _script = [];
    private readonly object _gate = new();

    public List<CapturedRequest> Requests { get; } = [];

    /// <summary>Signalled each time a request arrives.</summary>
    public SemaphoreSlim Arrived { get; } = new(0);

    public FakeHttpHandler Respond(HttpStatusCode status, string? json = null, Action<HttpResponseMessage>? configure = null)
    {
        _script.Add((_, _) =>
        {
            var response = new HttpResponseMessage(status);
            if (json is not null)
            {
                response.Content = new StringContent(json, Encoding.UTF8, "application/json");
            }

            configure?.Invoke(response);
            return Task.FromResult(response);
        });
        return this;
    }

    public FakeHttpHandler Throw(Exception exception)
    {
        _script.Add((_, _) => Task.FromException<HttpResponseMessage>(exception));
        return this;
    }

    /// <summary>Never answers until cancelled.</summary>
    public FakeHttpHandler Hang()
    {
        _script.Add(async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        });
        return this;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var h in request.Headers)
        {
            headers[h.Key] = string.Join(", ", h.Value);
        }

        var body = Array.Empty<byte>();
        if (request.Content is not null)
        {
            foreach (var h in request.Content.Headers)
            {
                headers[h.Key] = string.Join(", ", h.Value);
            }

            body = await request.Content.ReadAsByteArrayAsync(cancellationToken);
        }

        var captured = new CapturedRequest(request.Method, request.RequestUri!, headers, body);
        Func<CapturedRequest, CancellationToken, Task<HttpResponseMessage>> responder;
        lock (_gate)
        {
            Requests.Add(captured);
            if (_script.Count == 0)
            {
                throw new InvalidOperationException("No response scripted.");
            }

            responder = _script[0];
            if (_script.Count > 1)
            {
                _script.RemoveAt(0);
            }
        }

        Arrived.Release();
        return await responder(captured, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Arrived.Dispose();
        }

        base.Dispose(disposing);
    }
}
