package io.hearth.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket to 127.0.0.1, one connection per request ({@code Connection: close}),
 * so that each request may reach a different worker, and so that tests can send bytes no polite
 * client would. Reads with a timeout: a server that hangs fails the test instead of hanging it.
 */
final class RawHttp {
    static final int READ_TIMEOUT_MILLIS = 20_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private RawHttp() {
    }

    /** A parsed response; status -1 when the server closed the connection without answering. */
    record Response(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("response body is not JSON: " + body, e);
            }
        }

        @Override
        public String toString() {
            return status + " " + headers + " " + body;
        }
    }

    static Response request(int port, String method, String path) {
        return request(port, method, path, Map.of(), null);
    }

    static Response request(int port, String method, String path, Map<String, String> headers, String body) {
        return raw(port, bytes(method, path, headers, body));
    }

    /** The bytes of one request with {@code Connection: close}, as {@link #request} sends them. */
    static byte[] bytes(String method, String path, Map<String, String> headers, String body) {
        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (body != null) {
            head.append("Content-Length: ").append(bytes.length).append("\r\n");
        }
        head.append("\r\n");
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        raw.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        raw.writeBytes(bytes);
        return raw.toByteArray();
    }

    /** Sends these exact bytes and reads the answer to the end of the connection. */
    static Response raw(int port, byte[] request) {
        try (Socket socket = open(port)) {
            OutputStream out = socket.getOutputStream();
            // Write while reading, as a real client does: the server may answer (413) before the body is sent.
            Thread writer = new Thread(() -> {
                try {
                    out.write(request);
                    out.flush();
                } catch (IOException e) {
                    // the server stopped reading: what it answered is read below
                }
            }, "raw-http-writer");
            writer.setDaemon(true);
            writer.start();
            return read(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Socket open(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        return socket;
    }

    /** Reads one response: headers, then a Content-Length or chunked body, or up to the end of the stream. */
    static Response read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int last4 = 0;
        try {
            for (int b; last4 != 0x0d0a0d0a && (b = in.read()) != -1; ) {
                head.write(b);
                last4 = (last4 << 8) | b;
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no response within " + READ_TIMEOUT_MILLIS + " ms; got " + head, e);
        } catch (IOException e) {
            if (head.size() == 0) {
                return new Response(-1, Map.of(), ""); // reset by the server
            }
            throw e;
        }
        if (head.size() == 0) {
            return new Response(-1, Map.of(), "");
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        byte[] body;
        if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream chunks = new ByteArrayOutputStream();
            while (true) {
                int size = Integer.parseInt(readLine(in).split(";")[0].trim(), 16);
                if (size == 0) {
                    break;
                }
                chunks.writeBytes(in.readNBytes(size));
                readLine(in);
            }
            body = chunks.toByteArray();
        } else if (status == 204 || status == 304) {
            body = new byte[0];
        } else {
            body = in.readAllBytes();
        }
        return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b; (b = in.read()) != -1 && b != '\n'; ) {
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }
}
