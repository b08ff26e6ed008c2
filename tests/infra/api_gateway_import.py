"""API Gateway's documented rules for an OpenAPI document imported as a REST API.

The program defines its REST API by its OpenAPI document (``RestApi.body``, which
API Gateway imports with ``PutRestApi``); a document breaking one of these rules
fails the first ``pulumi up`` at import, or imports with a part silently dropped.
Each :class:`Rule` quotes the page it comes from (AWS's developer guide, its API
reference, and botocore's copy of that reference for the enumerations) and says
what API Gateway does when it is broken. The developer guide's own text was read
from its last published source (github.com/awsdocs/amazon-api-gateway-developer-guide,
April 2023) and checked against the live pages' excerpts.

A keyword the pages call unsupported in a model is reported whether API Gateway
refuses it or drops it: its request validator enforces the request model, so a
dropped keyword is a check callers expect that does not happen on AWS (the
function still validates).

:func:`body_violations` checks the body as Pulumi sends it, :func:`violations` a
parsed document; each :class:`Violation` names the JSON path, the rule and the page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import botocore.session
from jsonschema import Draft4Validator
from jsonschema.exceptions import SchemaError

GUIDE = "https://docs.aws.amazon.com/apigateway/latest/developerguide"
API_REFERENCE = "https://docs.aws.amazon.com/apigateway/latest/api"
KNOWN_ISSUES = f"{GUIDE}/api-gateway-known-issues.html#api-gateway-known-issues-rest-apis"
IMPORT = f"{GUIDE}/api-gateway-import-api.html"
BASE_PATH = f"{GUIDE}/api-gateway-import-api-basePath.html"
IMPORT_WARNINGS = f"{GUIDE}/api-gateway-import-api-errors-warnings.html"
QUOTAS = f"{GUIDE}/limits.html"
REST_API_QUOTAS = f"{GUIDE}/api-gateway-execution-service-limits-table.html"
MODELS = f"{GUIDE}/models-mappings.html#models-mappings-models"
EXTENSIONS = f"{GUIDE}/api-gateway-swagger-extensions.html"
INTEGRATION = f"{GUIDE}/api-gateway-swagger-extensions-integration.html"
INTEGRATION_RESPONSE = f"{GUIDE}/api-gateway-swagger-extensions-integration-response.html"
INTEGRATION_RESPONSE_PARAMETERS = (
    f"{GUIDE}/api-gateway-swagger-extensions-integration-responseParameters.html"
)
CORS_BY_IMPORT = f"{GUIDE}/enable-cors-for-resource-using-swagger-importer-tool.html"
LAMBDA_PROXY = f"{GUIDE}/set-up-lambda-proxy-integrations.html"
PROXY_RESOURCE = (
    f"{GUIDE}/api-gateway-method-settings-method-request.html#api-gateway-proxy-resource"
)
VALIDATORS = f"{GUIDE}/api-gateway-swagger-extensions-request-validators.html"
VALIDATOR_RULES = f"{GUIDE}/api-gateway-swagger-extensions-request-validators.requestValidator.html"
VALIDATOR = f"{GUIDE}/api-gateway-swagger-extensions-request-validator.html"
KEY_SOURCE = f"{GUIDE}/api-gateway-swagger-extensions-api-key-source.html"
GATEWAY_RESPONSES = f"{GUIDE}/api-gateway-swagger-extensions-gateway-responses.html"
GATEWAY_RESPONSE_PARAMETERS = (
    f"{GUIDE}/api-gateway-swagger-extensions-gateway-responses.responseParameters.html"
)
AUTHTYPE = f"{GUIDE}/api-gateway-swagger-extensions-authtype.html"
OPENAPI_SECURITY = "https://spec.openapis.org/oas/v3.0.3#security-requirement-object"
OPENAPI_PATH_TEMPLATING = "https://spec.openapis.org/oas/v3.0.3#path-templating"
ANY_METHOD_PAGE = f"{GUIDE}/api-gateway-swagger-extensions-any-method.html"
#: AWS's own importer, whose issues API Gateway's team answered: where an error API
#: Gateway gives is quoted that no page of the guide states.
IMPORTER_ISSUES = "https://github.com/amazon-archives/aws-apigateway-importer/issues"

#: The longest document ``PutRestApi`` takes: "6MB" (decimal, to be safe).
MAX_DEFINITION_BYTES = 6_000_000
#: "Resources per API: 300", raised only by asking for more for the API.
MAX_RESOURCES = 300
#: The largest model ``CreateModel`` takes: "400 KB" (decimal, to be safe).
MAX_MODEL_BYTES = 400_000
TIMEOUT_MILLIS = range(50, 29_001)

#: JSON Schema draft 4's keywords (json-schema.org/draft-04/schema): all a model may hold.
DRAFT_04_KEYWORDS = frozenset(
    {
        "id",
        "$schema",
        "$ref",
        "title",
        "description",
        "default",
        "multipleOf",
        "maximum",
        "exclusiveMaximum",
        "minimum",
        "exclusiveMinimum",
        "maxLength",
        "minLength",
        "pattern",
        "additionalItems",
        "items",
        "maxItems",
        "minItems",
        "uniqueItems",
        "maxProperties",
        "minProperties",
        "required",
        "additionalProperties",
        "definitions",
        "properties",
        "patternProperties",
        "dependencies",
        "enum",
        "type",
        "format",
        "allOf",
        "anyOf",
        "oneOf",
        "not",
    }
)
#: The extensions the extensions page lists, by where API Gateway applies them.
REST_EXTENSIONS = frozenset(
    f"x-amazon-apigateway-{name}"
    for name in (
        "any-method",
        "api-key-source",
        "auth",
        "authorizer",
        "authtype",
        "binary-media-types",
        "documentation",
        "endpoint-configuration",
        "gateway-responses",
        "integration",
        "minimum-compression-size",
        "policy",
        "request-validator",
        "request-validators",
        "tag-value",
    )
)
HTTP_API_ONLY_EXTENSIONS = frozenset(
    f"x-amazon-apigateway-{name}" for name in ("cors", "integrations", "importexport-version")
)
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
ANY_METHOD = "x-amazon-apigateway-any-method"
PATH_SEGMENT = re.compile(r"\{[A-Za-z0-9_.-]+\+?\}|[A-Za-z0-9_.,:-]+")
LAMBDA_URI = re.compile(
    r"arn:aws[a-z-]*:apigateway:[a-z0-9-]+:lambda:path/2015-03-31/functions/"
    r"arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9$_-]+)?"
    r"/invocations"
)
GATEWAY_RESPONSE_PARAMETER = re.compile(r"gatewayresponse\.(header|path|querystring)\.[^.\s]+")
GATEWAY_RESPONSE_VALUE = re.compile(r"'[^']*'|method\.request\.(header|path|querystring)\.\S+")
INTEGRATION_RESPONSE_VALUE = re.compile(r"'[^']*'|integration\.response\.(header|body)\S*")


@dataclass(frozen=True)
class Rule:
    """One documented import rule: what the page says, what API Gateway does, the page."""

    says: str
    effect: str
    source: str


@dataclass(frozen=True)
class Violation:
    """Where a document breaks a rule, and how."""

    path: str
    rule: Rule
    detail: str

    def __str__(self) -> str:
        return (
            f"{self.path}: {self.detail}. API Gateway: {self.rule.says} "
            f"({self.rule.effect}; {self.rule.source})"
        )


REFUSED = "the import fails"
NOT_ACCEPTED = "API Gateway's API takes no other value"
UNSUPPORTED = "not supported; the page does not say whether the import fails or drops it"
DROPPED = (
    "not supported, so at best dropped: API Gateway's request validator does not check it, "
    "though callers expect it to (the function still validates)"
)

OPENAPI_VERSION = Rule(
    "imports OpenAPI v2.0 and OpenAPI v3.0 definition files", UNSUPPORTED, IMPORT
)
DEFINITION_SIZE = Rule(
    "the maximum size of the API definition file is 6 MB (restapi:import, restapi:put)",
    REFUSED,
    f"{QUOTAS}; {API_REFERENCE}/API_PutRestApi.html",
)
PATH_SEGMENTS = Rule(
    "path segments can only contain alphanumeric characters, underscores, hyphens, periods, "
    "commas, colons, and curly braces; path parameters must be separate path segments",
    UNSUPPORTED,
    KNOWN_ISSUES,
)
GREEDY_LAST = Rule(
    "the greedy path parameter must be at the end of the API resource path; a proxy "
    "resource cannot have any child resource (/{proxy+}/child and /parent/{proxy+}/{child} "
    "are not allowed; /{proxy+} beside /parent is, /parent's own requests taking precedence)",
    UNSUPPORTED,
    f"{LAMBDA_PROXY}; {PROXY_RESOURCE}",
)
RESOURCES = Rule(
    "resources per API: 300 (a quota that can be increased, for one API at a time)",
    "the import fails unless the quota was raised for this API",
    REST_API_QUOTAS,
)
SIBLING_VARIABLES = Rule(
    "a resource may have one variable path part among its children: API Gateway refuses "
    "another ('A sibling ({id}) of this resource already has a variable path part -- only "
    "one is allowed'), by design",
    REFUSED,
    f"{IMPORTER_ISSUES}/202",
)
PATH_PARAMETERS = Rule(
    "each template expression in a path corresponds to a path parameter of each of its "
    "operations, and each path parameter's name to a template expression",
    UNSUPPORTED,
    f"{OPENAPI_PATH_TEMPLATING}; https://spec.openapis.org/oas/v3.0.3#parameter-object",
)
METHOD_INTEGRATION = Rule(
    "a deployment fails on a method without an integration ('No integration defined for "
    "method'); the ANY method (x-amazon-apigateway-any-method) is one too, catching each HTTP "
    "method the path does not declare",
    "the stage's deployment fails",
    f"{IMPORTER_ISSUES}/29; {ANY_METHOD_PAGE}; {INTEGRATION}",
)
RESERVED_PATHS = Rule(
    "the /ping and /sping paths are reserved for the service health check",
    "as root-level resources behind a custom domain they do not reach the API",
    f"{GUIDE}/api-gateway-known-issues.html#api-gateway-known-issues-rest-and-websocket-apis",
)
BASE_PATH_RULE = Rule(
    "a server URL's path beyond '/' (or a basePath server variable) is the base path, "
    "ignored, prepended or split as the import's basepath parameter says",
    "the resources created may not be the document's paths",
    BASE_PATH,
)
MODEL_NAME = Rule(
    "model names can only contain alphanumeric characters (CreateModel: 'Must be alphanumeric')",
    REFUSED,
    f"{KNOWN_ISSUES}; {API_REFERENCE}/API_CreateModel.html",
)
MODEL_SIZE = Rule(
    "the maximum size of the model is 400 KB (CreateModel's schema)",
    REFUSED,
    f"{API_REFERENCE}/API_CreateModel.html",
)
MODEL_DRAFT_04 = Rule(
    "models are defined using JSON schema draft 4, instead of the JSON schema used by OpenAPI",
    DROPPED,
    f"{KNOWN_ISSUES}; {MODELS}",
)
MODEL_DESCRIPTION = Rule(
    "do not include '*/' in the description of any properties",
    "the SDK API Gateway generates for the API fails to install",
    f"{API_REFERENCE}/API_Model.html",
)
DISCRIMINATOR = Rule(
    "the discriminator parameter is not supported in any schema object", DROPPED, KNOWN_ISSUES
)
EXAMPLE = Rule("the example tag is not supported", DROPPED, KNOWN_ISSUES)
EXCLUSIVE_MINIMUM = Rule("exclusiveMinimum is not supported", DROPPED, KNOWN_ISSUES)
ONE_OF = Rule(
    "oneOf is not supported for OpenAPI 2.0 or SDK generation",
    "the SDK API Gateway generates cannot hold it",
    KNOWN_ISSUES,
)
READ_ONLY = Rule("the readOnly field is not supported", DROPPED, KNOWN_ISSUES)
DEFAULT = Rule("the default keyword is not supported", DROPPED, KNOWN_ISSUES)
DEPRECATED = Rule(
    "the deprecated field is not supported and is dropped in exported APIs",
    "dropped",
    KNOWN_ISSUES,
)
ITEM_COUNTS = Rule(
    "the maxItems and minItems tags are not included in simple request validation",
    DROPPED,
    KNOWN_ISSUES,
)
NUMBER_FORMATS = Rule(
    "numbers of the Int32 or Int64 type, and the decimal number format, are not supported",
    DROPPED,
    KNOWN_ISSUES,
)
MISSING_MODEL = Rule(
    "a missing model reference is an import warning",
    "with failOnWarnings false (the default) the import goes on without the model, so the "
    "body it describes is not validated",
    IMPORT_WARNINGS,
)
RESPONSE_REF = Rule(
    'response definitions of the "500": {"$ref": ...} form are not supported; replace the '
    "reference by the inline schema",
    UNSUPPORTED,
    KNOWN_ISSUES,
)
RESPONSE_SCHEMA = Rule(
    "in method responses, the schema definition must be of an object type and cannot be of "
    "primitive types",
    UNSUPPORTED,
    KNOWN_ISSUES,
)
PARAMETER_ATTRIBUTES = Rule(
    "for input parameters, only name, in, required, type and description are supported; "
    "other attributes are ignored",
    "ignored",
    KNOWN_ISSUES,
)
ROOT_SECURITY = Rule(
    "API Gateway doesn't use root level security; security needs to be defined at an "
    "operation level",
    "the methods import without it: open",
    KNOWN_ISSUES,
)
SCHEME_TYPE = Rule("the securitySchemes type, if used, must be apiKey", UNSUPPORTED, KNOWN_ISSUES)
SCHEME_DECLARED = Rule(
    "each name in a security requirement must be a security scheme declared under components",
    UNSUPPORTED,
    OPENAPI_SECURITY,
)
AUTHTYPE_RULE = Rule(
    "x-amazon-apigateway-authtype applies to apiKey security schemes; awsSigv4 and any term "
    "prefixed by aws are reserved",
    UNSUPPORTED,
    AUTHTYPE,
)
API_KEY_HEADER = Rule(
    "HEADER receives the API key from the X-API-Key header of a request",
    "a scheme naming another header describes one API Gateway does not read",
    KEY_SOURCE,
)
KEY_SOURCE_RULE = Rule(
    "x-amazon-apigateway-api-key-source is HEADER or AUTHORIZER (ApiKeySourceType)",
    NOT_ACCEPTED,
    KEY_SOURCE,
)
VALIDATORS_RULE = Rule(
    "x-amazon-apigateway-request-validators maps a validator name to validateRequestBody and "
    "validateRequestParameters, both booleans",
    NOT_ACCEPTED,
    f"{VALIDATORS}; {VALIDATOR_RULES}",
)
VALIDATOR_RULE = Rule(
    "x-amazon-apigateway-request-validator is a string referencing a request_validator_name "
    "of the x-amazon-apigateway-request-validators map",
    UNSUPPORTED,
    VALIDATOR,
)
VALIDATED_BODY_MODEL = Rule(
    "basic request validation checks the payload against the method's configured model; you "
    "must define the model to enable it",
    "without a model the body is not validated",
    f"{GUIDE}/api-gateway-method-request-validation.html; {MODELS}",
)
INTEGRATION_TYPE = Rule(
    "the integration's type is one of http, aws, mock, http_proxy, aws_proxy (IntegrationType)",
    NOT_ACCEPTED,
    INTEGRATION,
)
LAMBDA_POST = Rule(
    "for Lambda function invocations, the integration's httpMethod must be POST",
    UNSUPPORTED,
    f"{INTEGRATION}; {LAMBDA_PROXY}",
)
LAMBDA_URI_RULE = Rule(
    "a Lambda integration's uri is arn:aws:apigateway:{region}:lambda:path/2015-03-31/"
    "functions/{function ARN}/invocations",
    UNSUPPORTED,
    f"{API_REFERENCE}/API_PutIntegration.html; {LAMBDA_PROXY}",
)
PASSTHROUGH = Rule(
    "passthroughBehavior is when_no_templates, when_no_match or never", NOT_ACCEPTED, INTEGRATION
)
TIMEOUT = Rule(
    "integration timeouts are between 50 ms and 29,000 ms (more only by a quota increase, for "
    "Regional and private APIs)",
    NOT_ACCEPTED,
    f"{INTEGRATION}; {REST_API_QUOTAS}",
)
INTEGRATION_STATUS = Rule(
    "an integration response's statusCode must correspond to a matching response in the "
    "operation's responses",
    UNSUPPORTED,
    INTEGRATION_RESPONSE,
)
INTEGRATION_HEADERS = Rule(
    "integration responses map header or body values, or static values, to method.response."
    "header.<name>, a header declared on the method's response",
    UNSUPPORTED,
    f"{INTEGRATION_RESPONSE_PARAMETERS}; {CORS_BY_IMPORT}",
)
GATEWAY_RESPONSE_TYPE = Rule(
    "x-amazon-apigateway-gateway-responses is keyed by response type (GatewayResponseType)",
    NOT_ACCEPTED,
    f"{GATEWAY_RESPONSES}; {API_REFERENCE}/API_GatewayResponse.html",
)
REQUEST_TOO_LARGE = Rule(
    "customizing the default gateway response for 413 REQUEST_TOO_LARGE isn't supported",
    UNSUPPORTED,
    KNOWN_ISSUES,
)
GATEWAY_RESPONSE_PARAMETERS_RULE = Rule(
    "gateway response parameters are gatewayresponse.{header|path|querystring}.<name>, each a "
    "request parameter or a static value in single quotes; statusCode is a string",
    UNSUPPORTED,
    f"{GATEWAY_RESPONSE_PARAMETERS}; {GATEWAY_RESPONSES}",
)
EXTENSION = Rule(
    "the API Gateway extensions to OpenAPI are those the extensions page lists; cors, "
    "integrations and importexport-version are supported only for HTTP APIs",
    "a REST API import ignores the others",
    EXTENSIONS,
)

#: Each keyword (other than draft 4's own gaps) the known issues name, in any schema.
KEYWORD_RULES: dict[str, Rule] = {
    "discriminator": DISCRIMINATOR,
    "example": EXAMPLE,
    "exclusiveMinimum": EXCLUSIVE_MINIMUM,
    "oneOf": ONE_OF,
    "readOnly": READ_ONLY,
    "default": DEFAULT,
    "deprecated": DEPRECATED,
    "maxItems": ITEM_COUNTS,
    "minItems": ITEM_COUNTS,
}


@cache
def apigateway_enum(shape: str) -> frozenset[str]:
    """An enumeration of API Gateway's API (``GatewayResponseType``...), from botocore's model."""
    model = botocore.session.get_session().get_service_model("apigateway")
    return frozenset(model.shape_for(shape).metadata["enum"])


def body_violations(body: str) -> list[Violation]:
    """What breaks the rules in ``RestApi.body``, the text API Gateway imports."""
    found = []
    size = len(body.encode())
    if size > MAX_DEFINITION_BYTES:
        found.append(Violation("$", DEFINITION_SIZE, f"the document is {size} bytes"))
    return found + violations(json.loads(body))


def violations(document: Mapping[str, Any]) -> list[Violation]:
    """Every place in an OpenAPI 3.0 document that breaks one of API Gateway's import rules."""
    found: list[Violation] = []
    version = str(document.get("openapi", document.get("swagger", "")))
    if not (version.startswith("3.0.") or version == "2.0"):
        found.append(Violation(_at("$", "openapi"), OPENAPI_VERSION, f"it is {version!r}"))
    found += _servers(document)
    found += _paths(document)
    found += _models(document)
    found += _schemas(document)
    found += _refs(document)
    found += _security(document)
    found += _validators(document)
    found += _integrations(document)
    found += _gateway_responses(document)
    found += _extensions(document)
    return found


def _at(path: str, key: str | int) -> str:
    """``path``'s child ``key`` in JSONPath: ``$.paths['/DynamoDBManager'].post``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key)}]".replace('["', "['").replace('"]', "']")


def _operations(document: Mapping[str, Any]) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """Each operation: its JSON path, its HTTP method, the operation object."""
    for route, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method in HTTP_METHODS or method == ANY_METHOD:
                yield _at(_at("$.paths", route), method), method, operation


def _servers(document: Mapping[str, Any]) -> list[Violation]:
    found = []
    for index, server in enumerate(document.get("servers", [])):
        url = str(server.get("url", ""))
        path = re.sub(r"^[a-z]+://[^/]*", "", url)
        if path.strip("/") or "basePath" in server.get("variables", {}):
            where = _at(_at("$.servers", index), "url")
            found.append(Violation(where, BASE_PATH_RULE, f"{url!r} has a base path"))
    return found


def _paths(document: Mapping[str, Any]) -> list[Violation]:
    found = []
    #: Each resource's variable child, as the import makes the resources path by path.
    variables: dict[tuple[str, ...], str] = {}
    for route, item in document.get("paths", {}).items():
        where = _at("$.paths", route)
        segments = [] if route == "/" else route.removeprefix("/").split("/")
        for index, segment in enumerate(segments):
            if not PATH_SEGMENT.fullmatch(segment):
                found.append(Violation(where, PATH_SEGMENTS, f"segment {segment!r}"))
            elif segment.endswith("+}") and index != len(segments) - 1:
                found.append(Violation(where, GREEDY_LAST, f"{segment!r} is not last"))
            if segment.startswith("{"):
                sibling = variables.setdefault(tuple(segments[:index]), segment)
                if sibling != segment:
                    detail = f"{segment} beside its sibling {sibling}"
                    found.append(Violation(where, SIBLING_VARIABLES, detail))
        if segments and segments[0] in ("ping", "sping"):
            found.append(Violation(where, RESERVED_PATHS, f"{route!r} is a reserved path"))
        found += _path_parameters(where, route, item)
    resources = {
        tuple(segments[:end])
        for route in document.get("paths", {})
        for segments in [route.strip("/").split("/") if route.strip("/") else []]
        for end in range(1, len(segments) + 1)
    }
    if len(resources) > MAX_RESOURCES:
        found.append(Violation("$.paths", RESOURCES, f"the paths make {len(resources)}"))
    return found


def _path_parameters(where: str, route: str, item: Mapping[str, Any]) -> list[Violation]:
    """Each operation of a path declares its variables as path parameters, and no others."""
    found = []
    expected = set(re.findall(r"\{([^}+]+)\+?\}", route))
    shared = {p.get("name") for p in item.get("parameters", []) if p.get("in") == "path"}
    for method, operation in item.items():
        if method not in HTTP_METHODS and method != ANY_METHOD:
            continue
        declared = shared | {
            p.get("name") for p in operation.get("parameters", []) if p.get("in") == "path"
        }
        if declared != expected:
            detail = f"declares {sorted(declared)}, the path has {sorted(expected)}"
            found.append(Violation(_at(where, method), PATH_PARAMETERS, detail))
    return found


def _models(document: Mapping[str, Any]) -> list[Violation]:
    """What the components' schemas, API Gateway's models, must be."""
    found = []
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        where = _at("$.components.schemas", name)
        if not name.isascii() or not name.isalnum():
            found.append(Violation(where, MODEL_NAME, f"the model is named {name!r}"))
        size = len(json.dumps(schema).encode())
        if size > MAX_MODEL_BYTES:
            found.append(Violation(where, MODEL_SIZE, f"the model is {size} bytes"))
        try:
            Draft4Validator.check_schema(schema)
        except SchemaError as error:
            at = where
            for part in error.path:
                at = _at(at, part)
            found.append(Violation(at, MODEL_DRAFT_04, f"not draft 4: {error.message}"))
        for path, subschema in _subschemas(where, schema):
            for keyword in sorted(set(subschema) - DRAFT_04_KEYWORDS - set(KEYWORD_RULES)):
                found.append(Violation(_at(path, keyword), MODEL_DRAFT_04, "not a draft 4 keyword"))
            for described in ("description", "title"):
                if "*/" in str(subschema.get(described, "")):
                    found.append(Violation(_at(path, described), MODEL_DESCRIPTION, "has '*/'"))
    return found


def _schemas(document: Mapping[str, Any]) -> list[Violation]:
    """The keywords the known issues name, in every schema of the document."""
    found = []
    for path, schema in _all_schemas(document):
        for keyword, rule in KEYWORD_RULES.items():
            if keyword in schema:
                found.append(Violation(_at(path, keyword), rule, f"{keyword} is used"))
        number_format = schema.get("format")
        if number_format == "decimal" or (
            schema.get("type") == "number" and number_format in ("int32", "int64")
        ):
            found.append(
                Violation(_at(path, "format"), NUMBER_FORMATS, f"format {number_format!r}")
            )
    for path, _, operation in _operations(document):
        for where, media in _media_types(path, operation):
            for keyword in ("example", "examples"):
                if keyword in media:
                    found.append(Violation(_at(where, keyword), EXAMPLE, f"{keyword} is used"))
        for index, parameter in enumerate(operation.get("parameters", [])):
            extra = set(parameter) - {"name", "in", "required", "type", "description", "schema"}
            if extra:
                where = _at(_at(path, "parameters"), index)
                found.append(Violation(where, PARAMETER_ATTRIBUTES, f"has {sorted(extra)}"))
        if "deprecated" in operation:
            found.append(Violation(_at(path, "deprecated"), DEPRECATED, "deprecated is used"))
    return found


def _all_schemas(document: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every schema object: the components', and those in operations, inline."""
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        yield from _subschemas(_at("$.components.schemas", name), schema)
    for path, _, operation in _operations(document):
        for where, media in _media_types(path, operation):
            yield from _subschemas(_at(where, "schema"), media.get("schema"))
        for status, response in operation.get("responses", {}).items():
            headers = _at(_at(_at(path, "responses"), status), "headers")
            for header, declared in response.get("headers", {}).items():
                yield from _subschemas(_at(_at(headers, header), "schema"), declared.get("schema"))
        for index, parameter in enumerate(operation.get("parameters", [])):
            where = _at(_at(_at(path, "parameters"), index), "schema")
            yield from _subschemas(where, parameter.get("schema"))


def _media_types(
    path: str, operation: Mapping[str, Any]
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """The media types of an operation's request body and responses, with their paths."""
    body = _at(_at(path, "requestBody"), "content")
    for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
        yield _at(body, media_type), media
    for status, response in operation.get("responses", {}).items():
        content = _at(_at(_at(path, "responses"), status), "content")
        for media_type, media in response.get("content", {}).items():
            yield _at(content, media_type), media


def _subschemas(path: str, schema: Any) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """``schema`` and every schema inside it, each with its JSON path."""
    if not isinstance(schema, Mapping):
        return
    yield path, schema
    for key in ("properties", "patternProperties", "definitions", "dependencies"):
        for name, sub in schema.get(key, {}).items():
            yield from _subschemas(_at(_at(path, key), name), sub)
    for key in ("items", "additionalProperties", "additionalItems", "not"):
        if isinstance(schema.get(key), Mapping):
            yield from _subschemas(_at(path, key), schema[key])
    for key in ("items", "allOf", "anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            for index, sub in enumerate(schema[key]):
                yield from _subschemas(_at(_at(path, key), index), sub)


def _refs(document: Mapping[str, Any]) -> list[Violation]:
    """Each ``$ref`` names a model the document defines; no response is a reference."""
    found = []
    models = document.get("components", {}).get("schemas", {})
    for path, value in _walk("$", document):
        if not isinstance(value, Mapping) or "$ref" not in value:
            continue
        ref = str(value["$ref"])
        name = ref.removeprefix("#/components/schemas/")
        if ref.startswith("#/components/schemas/") and name in models:
            continue
        if ref.startswith("#/components/responses/"):
            found.append(Violation(_at(path, "$ref"), RESPONSE_REF, f"{ref!r}"))
        elif not ref.startswith("#/components/") or not _resolves(document, ref):
            found.append(Violation(_at(path, "$ref"), MISSING_MODEL, f"{ref!r} names no model"))
    for path, _, operation in _operations(document):
        for status, response in operation.get("responses", {}).items():
            where = _at(_at(path, "responses"), status)
            if "$ref" in response:
                found.append(Violation(where, RESPONSE_REF, "the response is a reference"))
            for media_type, media in response.get("content", {}).items():
                kind = media.get("schema", {}).get("type")
                if kind not in (None, "object"):
                    at = _at(_at(_at(where, "content"), media_type), "schema")
                    found.append(Violation(at, RESPONSE_SCHEMA, f"the schema is a {kind}"))
    return found


def _resolves(document: Mapping[str, Any], ref: str) -> bool:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        if not isinstance(node, Mapping) or part not in node:
            return False
        node = node[part]
    return True


def _walk(path: str, value: Any) -> Iterator[tuple[str, Any]]:
    """Every value in a JSON document, with its path."""
    yield path, value
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _walk(_at(path, key), item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(_at(path, index), item)


def _security(document: Mapping[str, Any]) -> list[Violation]:
    found = []
    if document.get("security"):
        found.append(Violation("$.security", ROOT_SECURITY, "security is set at the root"))
    schemes = document.get("components", {}).get("securitySchemes", {})
    for name, scheme in schemes.items():
        where = _at("$.components.securitySchemes", name)
        if scheme.get("type") != "apiKey":
            found.append(
                Violation(_at(where, "type"), SCHEME_TYPE, f"it is {scheme.get('type')!r}")
            )
        authtype = scheme.get("x-amazon-apigateway-authtype")
        at = _at(where, "x-amazon-apigateway-authtype")
        if authtype is not None and (
            not isinstance(authtype, str)
            or (authtype.lower().startswith("aws") and authtype != "awsSigv4")
        ):
            found.append(Violation(at, AUTHTYPE_RULE, f"{authtype!r}"))
        is_api_key = authtype is None and "x-amazon-apigateway-authorizer" not in scheme
        source = document.get("x-amazon-apigateway-api-key-source", "HEADER")
        if (
            is_api_key
            and source == "HEADER"
            and (scheme.get("in") != "header" or str(scheme.get("name")).lower() != "x-api-key")
        ):
            found.append(
                Violation(where, API_KEY_HEADER, f"{scheme.get('in')} {scheme.get('name')!r}")
            )
    source = document.get("x-amazon-apigateway-api-key-source")
    if source is not None and source not in apigateway_enum("ApiKeySourceType"):
        at = _at("$", "x-amazon-apigateway-api-key-source")
        found.append(Violation(at, KEY_SOURCE_RULE, f"it is {source!r}"))
    for path, _, operation in _operations(document):
        for index, requirement in enumerate(operation.get("security", [])):
            for name in requirement:
                if name not in schemes:
                    at = _at(_at(path, "security"), index)
                    found.append(Violation(at, SCHEME_DECLARED, f"{name!r} is not declared"))
    return found


def _validators(document: Mapping[str, Any]) -> list[Violation]:
    found = []
    declared = document.get("x-amazon-apigateway-request-validators", {})
    for name, rules in declared.items():
        where = _at(_at("$", "x-amazon-apigateway-request-validators"), name)
        for key, value in rules.items():
            if key not in ("validateRequestBody", "validateRequestParameters") or not isinstance(
                value, bool
            ):
                found.append(Violation(_at(where, key), VALIDATORS_RULE, f"{key}: {value!r}"))
    key = "x-amazon-apigateway-request-validator"
    default = document.get(key)
    if default is not None and (not isinstance(default, str) or default not in declared):
        found.append(Violation(_at("$", key), VALIDATOR_RULE, f"{default!r} is not declared"))
    for path, _, operation in _operations(document):
        name = operation.get(key)
        if name is not None and (not isinstance(name, str) or name not in declared):
            found.append(Violation(_at(path, key), VALIDATOR_RULE, f"{name!r} is not declared"))
            continue
        validator = declared.get(name if name is not None else default, {})
        content = operation.get("requestBody", {}).get("content", {})
        if validator.get("validateRequestBody") and not any(
            "schema" in media for media in content.values()
        ):
            found.append(Violation(path, VALIDATED_BODY_MODEL, "the request body has no model"))
    return found


def _integrations(document: Mapping[str, Any]) -> list[Violation]:
    found = []
    types = {kind.lower() for kind in apigateway_enum("IntegrationType")}
    for path, _, operation in _operations(document):
        integration = operation.get("x-amazon-apigateway-integration")
        if integration is None:
            found.append(Violation(path, METHOD_INTEGRATION, "the method has no integration"))
            continue
        where = _at(path, "x-amazon-apigateway-integration")
        kind = str(integration.get("type", "")).lower()
        if kind not in types:
            found.append(Violation(_at(where, "type"), INTEGRATION_TYPE, f"{kind!r}"))
        uri = str(integration.get("uri", ""))
        if kind == "aws_proxy" or (kind == "aws" and ":lambda:path/" in uri):
            if str(integration.get("httpMethod", "")).upper() != "POST":
                at = _at(where, "httpMethod")
                found.append(Violation(at, LAMBDA_POST, f"{integration.get('httpMethod')!r}"))
            if not LAMBDA_URI.fullmatch(uri):
                found.append(Violation(_at(where, "uri"), LAMBDA_URI_RULE, f"{uri!r}"))
        passthrough = integration.get("passthroughBehavior")
        if passthrough is not None and passthrough not in (
            "when_no_templates",
            "when_no_match",
            "never",
        ):
            at = _at(where, "passthroughBehavior")
            found.append(Violation(at, PASSTHROUGH, f"{passthrough!r}"))
        timeout = integration.get("timeoutInMillis")
        if timeout is not None and (type(timeout) is not int or timeout not in TIMEOUT_MILLIS):
            found.append(Violation(_at(where, "timeoutInMillis"), TIMEOUT, f"{timeout!r}"))
        responses = operation.get("responses", {})
        for pattern, response in integration.get("responses", {}).items():
            at = _at(_at(where, "responses"), pattern)
            status = response.get("statusCode")
            if status not in responses:
                found.append(Violation(_at(at, "statusCode"), INTEGRATION_STATUS, f"{status!r}"))
                continue
            headers = responses[status].get("headers", {})
            for parameter, value in response.get("responseParameters", {}).items():
                header = parameter.removeprefix("method.response.header.")
                if (
                    header == parameter
                    or header not in headers
                    or not INTEGRATION_RESPONSE_VALUE.fullmatch(str(value))
                ):
                    place = _at(_at(at, "responseParameters"), parameter)
                    found.append(Violation(place, INTEGRATION_HEADERS, f"{value!r}"))
    return found


def _gateway_responses(document: Mapping[str, Any]) -> list[Violation]:
    found = []
    kinds = apigateway_enum("GatewayResponseType")
    root = _at("$", "x-amazon-apigateway-gateway-responses")
    for kind, response in document.get("x-amazon-apigateway-gateway-responses", {}).items():
        where = _at(root, kind)
        if kind not in kinds:
            found.append(Violation(where, GATEWAY_RESPONSE_TYPE, f"{kind!r} is no response type"))
        elif kind == "REQUEST_TOO_LARGE":
            found.append(Violation(where, REQUEST_TOO_LARGE, "it is customized"))
        status = response.get("statusCode")
        if status is not None and not (isinstance(status, str) and re.fullmatch(r"\d{3}", status)):
            at = _at(where, "statusCode")
            found.append(Violation(at, GATEWAY_RESPONSE_PARAMETERS_RULE, f"{status!r}"))
        for parameter, value in response.get("responseParameters", {}).items():
            if not GATEWAY_RESPONSE_PARAMETER.fullmatch(
                parameter
            ) or not GATEWAY_RESPONSE_VALUE.fullmatch(str(value)):
                at = _at(_at(where, "responseParameters"), parameter)
                found.append(Violation(at, GATEWAY_RESPONSE_PARAMETERS_RULE, f"{value!r}"))
    return found


def _extensions(document: Mapping[str, Any]) -> list[Violation]:
    found = []
    for path, value in _walk("$", document):
        if not isinstance(value, Mapping):
            continue
        for key in value:
            if not str(key).startswith("x-amazon-apigateway-") or key in REST_EXTENSIONS:
                continue
            detail = "HTTP APIs only" if key in HTTP_API_ONLY_EXTENSIONS else "not documented"
            found.append(Violation(_at(path, key), EXTENSION, detail))
    return found
