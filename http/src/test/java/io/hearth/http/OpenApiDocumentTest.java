package io.hearth.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import io.hearth.SharedStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /openapi.json against the route table and a real server: the document names every route and
 * method the server answers, and every operation it names answers, with a status it documents.
 */
class OpenApiDocumentTest {
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
    private static final Pattern PATH_PARAMETER = Pattern.compile("\\{([^}]+)}");

    @TempDir
    Path dir;
    private SharedStore store;
    private HearthServer server;
    private JsonNode document;

    @BeforeEach
    void start() {
        store = SharedStore.open(dir.resolve("test.store"));
        server = HearthServer.builder(store).port(0).start();
        RawHttp.Response response = RawHttp.request(server.port(), "GET", "/openapi.json");
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.header("Content-Type")).isEqualTo("application/json");
        document = response.json();
    }

    @AfterEach
    void stop() {
        server.close();
        store.close();
    }

    @Test
    void theDocumentIsJsonThatDeclaresOpenApi31AndTheVersionBuilt() {
        assertThat(document.path("openapi").asText()).matches("3\\.1\\.[0-9]+");
        assertThat(document.path("info").path("title").asText()).isNotBlank();
        assertThat(document.path("info").path("version").asText())
                .isEqualTo(System.getProperty("hearth.version", "0.1.0-SNAPSHOT")); // Maven fills it in: see http/pom.xml
    }

    @Test
    void everyRouteTheWorkerServesIsInTheDocumentWithEveryMethodItAnswers() {
        Map<String, Set<String>> documented = new TreeMap<>();
        operations().forEach(operation -> {
            Set<String> methods = documented.computeIfAbsent(operation.path(), path -> new TreeSet<>());
            methods.add(operation.method());
            if (operation.method().equals("GET")) {
                methods.add("HEAD"); // the document says once that every GET answers HEAD too
            }
        });
        Map<String, Set<String>> served = new TreeMap<>(server.routeTable());
        assertThat(documented.keySet()).as("route templates (served: %s)", served.keySet()).isEqualTo(served.keySet());
        served.forEach((path, methods) -> assertThat(documented.get(path)).as("methods of " + path).isEqualTo(new TreeSet<>(methods)));
    }

    @Test
    void everyOperationTheDocumentNamesAnswersOnARealWorkerWithAStatusItDocuments() {
        for (Operation operation : operations()) {
            RawHttp.Response response = operation.send(server.port());
            assertThat(routed(response)).as(operation + " reaches a route: " + response).isTrue();
            assertThat(operation.documents(response.status())).as(operation + " documents " + response).isTrue();
            if (response.status() >= 400) {
                assertThat(response.json().path("error").isTextual()).as(operation + " answers the error shape: " + response).isTrue();
                assertThat(response.json().path("detail").isTextual()).as(operation + " answers the error shape: " + response).isTrue();
            }
        }
    }

    @Test
    void theDocumentAsksForTheTokenExactlyWhereTheWorkerDoes() {
        // A change needs the token ([{bearer}]); a read may ([{}, {bearer}]: with protected reads); probes and docs never ([]).
        try (HearthServer changesGuarded = HearthServer.builder(store).port(0).token("s3cret").start();
             HearthServer allGuarded = HearthServer.builder(store).port(0).token("s3cret").protectReads().start()) {
            for (Operation operation : operations()) {
                assertThat(operation.send(changesGuarded.port()).status() == 401).as(operation + " needs the token for changes")
                        .isEqualTo(operation.security(requirements -> !requirements.isEmpty() && allNonEmpty(requirements)));
                assertThat(operation.send(allGuarded.port()).status() == 401).as(operation + " needs the token for reads")
                        .isEqualTo(operation.security(requirements -> !requirements.isEmpty()));
                if (operation.security(requirements -> !requirements.isEmpty())) {
                    assertThat(operation.documents(401)).as(operation + " documents its 401").isTrue();
                }
            }
        }
    }

    @Test
    void everyReferenceResolvesAndEveryPathParameterIsDeclaredWithAnExample() {
        List<String> references = new ArrayList<>();
        collectReferences(document, references);
        assertThat(references).isNotEmpty();
        for (String reference : references) {
            assertThat(reference).startsWith("#/");
            assertThat(document.at(JsonPointer.compile(reference.substring(1))).isMissingNode()).as(reference + " resolves").isFalse();
        }
        Set<String> operationIds = new HashSet<>();
        for (Operation operation : operations()) {
            assertThat(operationIds.add(operation.node().path("operationId").asText())).as(operation + " has an operationId of its own").isTrue();
            assertThat(operation.node().path("responses").size()).as(operation + " documents its answers").isPositive();
            Set<String> inTemplate = new TreeSet<>();
            Matcher matcher = PATH_PARAMETER.matcher(operation.path());
            while (matcher.find()) {
                inTemplate.add(matcher.group(1));
            }
            Map<String, JsonNode> declared = operation.parameters("path");
            assertThat(declared.keySet()).as(operation + " declares the parameters of its path").isEqualTo(inTemplate);
            declared.forEach((name, parameter) -> {
                assertThat(parameter.path("required").asBoolean()).as(operation + " requires " + name).isTrue();
                assertThat(parameter.has("example")).as(operation + " gives an example of " + name).isTrue();
            });
        }
    }

    @Test
    void theDocumentAvoidsWhatSwaggerUiRendersWrongly() {
        // Seen in Swagger UI 5.34.1: parameters a path item names by $ref show up unnamed ("any"), and a
        // schema with "not" shows its type as "never". So parameters go on each operation, and no "not".
        document.path("paths").fields().forEachRemaining(path ->
                assertThat(path.getValue().has("parameters")).as(path.getKey() + " declares its parameters on each operation").isFalse());
        List<String> found = new ArrayList<>();
        collectKeys(document, "not", "", found);
        assertThat(found).as("schemas with \"not\"").isEmpty();
    }

    private static void collectKeys(JsonNode node, String key, String at, List<String> into) {
        if (node.isObject() && node.has(key)) {
            into.add(at);
        }
        node.fields().forEachRemaining(child -> collectKeys(child.getValue(), key, at + "/" + child.getKey(), into));
        for (int i = 0; node.isArray() && i < node.size(); i++) {
            collectKeys(node.get(i), key, at + "/" + i, into);
        }
    }

    private static boolean allNonEmpty(JsonNode requirements) {
        for (JsonNode requirement : requirements) {
            if (requirement.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** Whether the router found a route: not its 404 ("no route ...") and not its 405. */
    private static boolean routed(RawHttp.Response response) {
        if (response.status() == 405) {
            return false;
        }
        return response.status() != 404 || !response.json().path("detail").asText().startsWith("no route ");
    }

    private static void collectReferences(JsonNode node, List<String> into) {
        if (node.isObject() && node.path("$ref").isTextual()) {
            into.add(node.get("$ref").asText());
        }
        node.forEach(child -> collectReferences(child, into));
    }

    /** Every operation of the document, in its order. */
    private List<Operation> operations() {
        List<Operation> operations = new ArrayList<>();
        document.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(entry -> {
            if (METHODS.contains(entry.getKey())) {
                operations.add(new Operation(document, path.getKey(), entry.getKey().toUpperCase(Locale.ROOT), entry.getValue(),
                        path.getValue()));
            }
        }));
        assertThat(operations).isNotEmpty();
        return operations;
    }

    /** One method of one path of document, and a request for it made of the document's own examples. */
    private record Operation(JsonNode document, String path, String method, JsonNode node, JsonNode pathItem) {
        /** The parameters of the path item and the operation in one place ("path", "query", "header"), by name. */
        Map<String, JsonNode> parameters(String in) {
            Map<String, JsonNode> found = new LinkedHashMap<>();
            for (JsonNode list : List.of(pathItem.path("parameters"), node.path("parameters"))) {
                for (JsonNode parameter : list) {
                    JsonNode resolved = resolve(parameter);
                    if (resolved.path("in").asText().equals(in)) {
                        found.put(resolved.path("name").asText(), resolved);
                    }
                }
            }
            return found;
        }

        /** The request: path parameters and the body from their examples, no query. */
        RawHttp.Response send(int port) {
            String target = path;
            for (Map.Entry<String, JsonNode> parameter : parameters("path").entrySet()) {
                target = target.replace("{" + parameter.getKey() + "}", parameter.getValue().path("example").asText());
            }
            Map<String, String> headers = new HashMap<>();
            String body = null;
            var contents = resolve(node.path("requestBody")).path("content").fields();
            if (contents.hasNext()) {
                var content = contents.next();
                headers.put("Content-Type", content.getKey());
                assertThat(content.getValue().has("example")).as(this + " gives an example body").isTrue();
                body = content.getValue().get("example").toString();
            }
            return RawHttp.request(port, method, target, headers, body);
        }

        boolean documents(int status) {
            JsonNode responses = node.path("responses");
            return responses.has(Integer.toString(status)) || responses.has("default");
        }

        /** Whether the operation's security requirements (the document's when it names none) pass test. */
        boolean security(Predicate<JsonNode> test) {
            JsonNode requirements = node.has("security") ? node.get("security") : document.path("security");
            return test.test(requirements);
        }

        /** The node itself, or the one its $ref names. */
        private JsonNode resolve(JsonNode node) {
            return node.has("$ref") ? document.at(JsonPointer.compile(node.get("$ref").asText().substring(1))) : node;
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }
}
