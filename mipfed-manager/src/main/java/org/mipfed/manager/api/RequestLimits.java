package org.mipfed.manager.api;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;

/**
 * The first thing every request meets, before Javalin: the {@link SecurityHeaders}, and a limit on the body that
 * holds however the body comes. A declared {@code Content-Length} over the limit is answered 413 without reading a
 * byte; a chunked or streamed body is read through a stream that stops at the limit and answers 413 there (Javalin
 * checks only {@code Content-Length} and would otherwise read a chunked body whole, into the heap). Limits are per
 * route: sign-in and the other {@code /auth} calls are tiny, analyses and experiments carry a data request.
 */
final class RequestLimits implements Filter {
    /** Sign-in, password change, API tokens: a name, a password of at most 1024 characters, JSON-escaped. */
    static final long AUTH_BODY_BYTES = 8 * 1024;
    /** An analysis or experiment request: variables, datasets, filters, parameters. */
    static final long ANALYSIS_BODY_BYTES = 1_000_000;
    /** Everything else (administration): labels, node lists, users. */
    static final long OTHER_BODY_BYTES = 64 * 1024;
    /** The request line and headers together (Jetty's request header size): a longer URL is 414, more headers 431. */
    static final int HEADER_BYTES = 8 * 1024;

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        SecurityHeaders.apply(request, response);
        String path = path(request);
        long limit = bodyLimit(path);
        if (request.getContentLengthLong() > limit) {
            byte[] body = ProblemErrorHandler.document(413, tooLarge(path, limit), path);
            response.setStatus(413);
            response.setHeader("Connection", "close");
            response.setContentType("application/problem+json");
            response.setContentLength(body.length);
            try (OutputStream out = response.getOutputStream()) {
                out.write(body);
            }
            return;
        }
        chain.doFilter(new Bounded(request, limit, path), response);
    }

    /** The decoded, normalised path the routes are matched against. */
    static String path(HttpServletRequest request) {
        String servlet = request.getServletPath() == null ? "" : request.getServletPath();
        String info = request.getPathInfo() == null ? "" : request.getPathInfo();
        String path = servlet + info;
        return path.isEmpty() ? "/" : path;
    }

    static long bodyLimit(String path) {
        if (path.startsWith("/auth/")) {
            return AUTH_BODY_BYTES;
        }
        if (path.startsWith("/algorithms/") || path.equals("/experiments") || path.startsWith("/experiments/")) {
            return ANALYSIS_BODY_BYTES;
        }
        return OTHER_BODY_BYTES;
    }

    static String tooLarge(String path, long limit) {
        String size = limit % 1024 == 0 ? limit / 1024 + " KiB" : limit / 1000 + " kB";
        return "The request body is larger than " + path + " accepts (" + size + "); send a smaller request";
    }

    /** The request as the handlers see it: its body readable up to the limit only. */
    private static final class Bounded extends HttpServletRequestWrapper {
        private final long limit;
        private final String path;
        private LimitedStream stream;

        Bounded(HttpServletRequest request, long limit, String path) {
            super(request);
            this.limit = limit;
            this.path = path;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                stream = new LimitedStream(super.getInputStream(), limit, path);
            }
            return stream;
        }

        @Override
        public BufferedReader getReader() throws IOException {
            String encoding = getCharacterEncoding();
            Charset charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
            return new BufferedReader(new InputStreamReader(getInputStream(), charset));
        }
    }

    /** Counts what is read and refuses, from then on, once the limit is passed. */
    private static final class LimitedStream extends ServletInputStream {
        private final ServletInputStream in;
        private final long limit;
        private final String path;
        private long read;

        LimitedStream(ServletInputStream in, long limit, String path) {
            this.in = in;
            this.limit = limit;
            this.path = path;
        }

        @Override
        public int read() throws IOException {
            check(0);
            int b = in.read();
            if (b >= 0) {
                check(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            check(0);
            // never ask for more than one byte past the limit: enough to know it was passed
            int n = in.read(buffer, offset, (int) Math.min(length, limit - read + 1));
            if (n > 0) {
                check(n);
            }
            return n;
        }

        private void check(int more) {
            read += more;
            if (read > limit) {
                throw new Problem(ProblemType.REQUEST_TOO_LARGE, tooLarge(path, limit));
            }
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }
    }
}
