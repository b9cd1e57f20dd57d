package org.mipfed.node.store;

import static java.util.Objects.requireNonNull;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prepared statements kept per connection and reused when the same SQL text comes again: a
 * primitive's SQL depends only on the request's shape (variables, datasets, filter), its values
 * are bound, so repeated and iterative analyses skip parsing and planning. The connection handed
 * out answers {@code prepareStatement(sql)} from the cache; closing such a statement clears its
 * parameters and keeps it. One thread at a time uses a lent connection, so the cache needs no lock.
 */
final class StatementCache {
    private final Connection connection;
    private final Connection facade;
    private final Map<String, PreparedStatement> statements;

    /**
     * @param capacity statements kept; the least recently used one is closed beyond it
     */
    StatementCache(Connection connection, int capacity) {
        this.connection = requireNonNull(connection, "connection is null");
        this.statements = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
                if (size() <= capacity) {
                    return false;
                }
                closeQuietly(eldest.getValue());
                return true;
            }
        };
        this.facade = (Connection) Proxy.newProxyInstance(
                Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, new ConnectionHandler());
    }

    /** The connection to lend: the real one, except that {@code prepareStatement(String)} is cached. */
    Connection connection() {
        return facade;
    }

    /** The connection underneath, for closing. */
    Connection physical() {
        return connection;
    }

    /** Closes every kept statement (before the connection itself is closed). */
    void clear() {
        statements.values().forEach(StatementCache::closeQuietly);
        statements.clear();
    }

    private PreparedStatement prepare(String sql) throws SQLException {
        PreparedStatement kept = statements.get(sql);
        if (kept != null && !kept.isClosed()) {
            return wrap(kept);
        }
        PreparedStatement statement = connection.prepareStatement(sql);
        statements.put(sql, statement);
        return wrap(statement);
    }

    private static PreparedStatement wrap(PreparedStatement statement) {
        return (PreparedStatement) Proxy.newProxyInstance(
                PreparedStatement.class.getClassLoader(),
                new Class<?>[] {PreparedStatement.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("close") && method.getParameterCount() == 0) {
                        // Kept for the next request; a statement that failed half-way is still reusable once cleared.
                        statement.clearParameters();
                        return null;
                    }
                    if (method.getName().equals("isClosed") && method.getParameterCount() == 0) {
                        return false;
                    }
                    return invoke(statement, method, args);
                });
    }

    private final class ConnectionHandler implements InvocationHandler {
        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getName().equals("prepareStatement") && method.getParameterCount() == 1) {
                return prepare((String) args[0]);
            }
            if (method.getName().equals("unwrap")
                    && args != null
                    && args[0] instanceof Class<?> type
                    && type.isInstance(connection)) {
                return connection;
            }
            return StatementCache.invoke(connection, method, args);
        }
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static void closeQuietly(PreparedStatement statement) {
        try {
            statement.close();
        } catch (SQLException e) {
            // Closing a cached statement is best effort; the connection's close releases it anyway.
        }
    }
}
