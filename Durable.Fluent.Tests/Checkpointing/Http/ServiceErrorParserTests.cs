using System.Net;
using System.Text;
using Durable.Fluent.Checkpointing.Http;

namespace Durable.Fluent.Tests.Checkpointing.Http;

[TestFixture]
public sealed class ServiceErrorParserTests
{
    [TestCase("""{"Type":"InvalidParameterValueException","message":"bad"}""", null, "InvalidParameterValueException", "bad")]
    [TestCase("""{"Type":"ResourceNotFoundException","Message":"gone"}""", null, "ResourceNotFoundException", "gone")]
    [TestCase("""{"__type":"TooManyRequestsException","Message":"slow down"}""", null, "TooManyRequestsException", "slow down")]
    [TestCase("""{"__type":"com.amazonaws.lambda#ServiceException","message":"x"}""", null, "ServiceException", "x")]
    [TestCase("""{"code":"CallbackTimeoutException"}""", null, "CallbackTimeoutException", null)]
    [TestCase("""{"message":"only a message"}""", "KMSAccessDeniedException", "KMSAccessDeniedException", "only a message")]
    [TestCase("""{"Type":"BodyType","message":"m"}""", "HeaderType:http://internal/", "HeaderType", "m")]
    [TestCase("", "ExecutionConflictException", "ExecutionConflictException", null)]
    [TestCase("not json", null, null, "not json")]
    [TestCase("[1,2]", null, null, null)]
    public void Parses_code_and_message(string body, string? header, string? expectedCode, string? expectedMessage)
    {
        var (code, message) = ServiceErrorParser.Parse(header, Encoding.UTF8.GetBytes(body));

        Assert.That(code, Is.EqualTo(expectedCode));
        Assert.That(message, Is.EqualTo(expectedMessage));
    }

    [Test]
    public void Builds_a_CheckpointException_with_status_and_code()
    {
        var ex = ServiceErrorParser.ToException(
            "CheckpointDurableExecution",
            HttpStatusCode.BadRequest,
            null,
            Encoding.UTF8.GetBytes("""{"Type":"InvalidParameterValueException","message":"Invalid Checkpoint Token"}"""));

        Assert.That(ex.StatusCode, Is.EqualTo(400));
        Assert.That(ex.ErrorCode, Is.EqualTo("InvalidParameterValueException"));
        Assert.That(ex.Message, Is.EqualTo("Invalid Checkpoint Token"));
        Assert.That(ex.IsRetryable, Is.True);
    }
}
