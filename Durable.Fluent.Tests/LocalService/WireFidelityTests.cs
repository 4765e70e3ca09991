using System.Net;
using System.Text;
using System.Text.Json;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.LocalService;

/// <summary>
/// The local service speaks the API model exactly, as an official AWS SDK client sees it: payload shapes, the errors each
/// operation declares, and the headers every response carries.
/// </summary>
public class WireFidelityTests
{
    private const string Api = "/2025-12-01";
    private ServiceHarness _h = null!;
    private CallbackHandler _handler = null!;
    private string _arn = null!;

    [SetUp]
    public async Task SetUp()
    {
        _handler = new CallbackHandler();
        _h = new ServiceHarness(register: s => s.Register("cb", _handler.HandleAsync));
        _arn = _h.Service.StartExecution("cb", null, "wire");
        await _h.Service.WaitForIdleAsync(_arn);
    }

    [TearDown]
    public async Task TearDown() => await _h.DisposeAsync();

    [Test]
    public async Task Callback_failure_body_is_the_bare_error_object_and_every_field_reaches_the_execution()
    {
        const string body = """{"ErrorType":"Rejected","ErrorMessage":"manager said no","ErrorData":"{\"ticket\":42}","StackTrace":["at A","at B"]}""";
        using var response = await _h.Http.PostAsync(CallbackPath("fail"), Json(body));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        await _h.Service.WaitForIdleAsync(_arn);

        var execution = await _h.Client.GetDurableExecutionAsync(_arn);
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Failed));
        Assert.That(JsonOf(execution.Error), Is.EqualTo(JsonOf(new ErrorObject { ErrorType = "Rejected", ErrorMessage = "manager said no", ErrorData = "{\"ticket\":42}", StackTrace = ["at A", "at B"] })));
        var failed = (await _h.Client.GetDurableExecutionHistoryAsync(_arn)).Events.Single(e => e.EventType == HistoryEventType.CallbackFailed);
        Assert.That(failed.Details.Error!.Payload.ErrorData, Is.EqualTo("{\"ticket\":42}"));
    }

    [Test]
    public async Task Stop_body_is_the_bare_error_object_and_the_reason_is_recorded()
    {
        using var response = await _h.Http.PostAsync(ArnPath("stop"), Json("""{"ErrorType":"Operator.Cancelled","ErrorMessage":"customer withdrew the order"}"""));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());

        var execution = await _h.Client.GetDurableExecutionAsync(_arn);
        Assert.That(execution.Status, Is.EqualTo(ExecutionStatus.Stopped));
        Assert.That(execution.Error, Is.EqualTo(new ErrorObject { ErrorType = "Operator.Cancelled", ErrorMessage = "customer withdrew the order" }));
    }

    [Test]
    public async Task The_client_and_the_service_round_trip_a_stop_reason_and_a_callback_error()
    {
        var error = new ErrorObject { ErrorType = "Rejected", ErrorMessage = "no", ErrorData = "d", StackTrace = ["s"] };
        await _h.Client.SendCallbackFailureAsync(_handler.CallbackId!, error);
        await _h.Service.WaitForIdleAsync(_arn);
        Assert.That(JsonOf((await _h.Client.GetDurableExecutionAsync(_arn)).Error), Is.EqualTo(JsonOf(error)));

        var other = _h.Service.StartExecution("cb", null, "wire-stop");
        await _h.Service.WaitForIdleAsync(other);
        await _h.Client.StopDurableExecutionAsync(other, new ErrorObject { ErrorType = "Stop.Reason", ErrorMessage = "by test" });
        Assert.That((await _h.Client.GetDurableExecutionAsync(other)).Error, Is.EqualTo(new ErrorObject { ErrorType = "Stop.Reason", ErrorMessage = "by test" }));
    }

    [Test]
    public async Task A_wrapped_error_body_is_refused_rather_than_silently_dropped()
    {
        var before = Snapshot();
        using var stop = await _h.Http.PostAsync(ArnPath("stop"), Json("""{"Error":{"ErrorType":"T","ErrorMessage":"m"}}"""));
        using var fail = await _h.Http.PostAsync(CallbackPath("fail"), Json("""{"Error":{"ErrorType":"T","ErrorMessage":"m"}}"""));

        foreach (var response in new[] { stop, fail })
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.That((int)response.StatusCode, Is.EqualTo(400), text);
            Assert.That(text, Does.Contain("bare ErrorObject"));
        }

        Assert.That(Snapshot(), Is.EqualTo(before));
    }

    [Test]
    public async Task An_empty_stop_body_or_an_empty_object_stops_with_the_default_reason()
    {
        var other = _h.Service.StartExecution("cb", null, "wire-empty");
        await _h.Service.WaitForIdleAsync(other);
        using var empty = await _h.Http.PostAsync(ArnPath("stop"), Json("{}"));
        Assert.That(empty.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var none = await _h.Http.PostAsync(Api + "/durable-executions/" + Uri.EscapeDataString(other) + "/stop", new ByteArrayContent([]));
        Assert.That(none.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await _h.Client.GetDurableExecutionAsync(_arn)).Error!.ErrorType, Is.EqualTo("Execution.Stopped"));
        Assert.That((await _h.Client.GetDurableExecutionAsync(other)).Error!.ErrorType, Is.EqualTo("Execution.Stopped"));
    }

    private string ArnPath(string? action) => Api + "/durable-executions/" + Uri.EscapeDataString(_arn) + (action is null ? string.Empty : "/" + action);

    private string CallbackPath(string action) => $"{Api}/durable-execution-callbacks/{Uri.EscapeDataString(_handler.CallbackId!)}/{action}";

    private string Snapshot() => JsonSerializer.Serialize(new
    {
        Execution = _h.Service.Engine.GetExecution(_arn),
        Operations = _h.Service.Engine.GetOperations(_arn),
        Events = _h.Service.Engine.GetHistory(_arn).Count,
    }, WireJson.Rest);

    private static string JsonOf(ErrorObject? error) => JsonSerializer.Serialize(error, WireJson.Rest);

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
