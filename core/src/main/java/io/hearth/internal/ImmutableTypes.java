package io.hearth.internal;

import io.hearth.JsonBytes;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/**
 * Which map value types a read cache may hand to several callers as one object: those no caller
 * can change. The read cache keeps one decoded object per entry and returns it to every reader, so
 * a type qualifies only when every object of it, and everything it refers to, is immutable:
 * <ul>
 *   <li>{@code String}, the boxed primitives, {@code BigInteger}, {@code BigDecimal}, {@code UUID},
 *       the value classes of {@code java.time} ({@code Instant}, {@code LocalDate}, ...), and
 *       {@link JsonBytes} (which reads back as the bytes it was written as, whatever the mapper);</li>
 *   <li>enums;</li>
 *   <li>records whose every component is a primitive or one of these, other such records included.</li>
 * </ul>
 * Everything else is not: {@code JsonNode}, {@code Map}, collections, arrays, classes with fields,
 * interfaces and {@code Object} (which Jackson reads as maps and lists), and records with such a
 * component, or with a type variable as one ({@code record Box<T>(T value)}).
 */
public final class ImmutableTypes {
    private static final Set<Class<?>> VALUES = Set.of(
            String.class, Boolean.class, Byte.class, Short.class, Integer.class, Long.class, Float.class,
            Double.class, Character.class, BigInteger.class, BigDecimal.class, UUID.class,
            Instant.class, LocalDate.class, LocalTime.class, LocalDateTime.class, OffsetDateTime.class, OffsetTime.class,
            ZonedDateTime.class, Duration.class, Period.class, Year.class, YearMonth.class, MonthDay.class, ZoneOffset.class,
            JsonBytes.class);

    private static final ClassValue<Boolean> IMMUTABLE = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            return immutable(type, new HashSet<>());
        }
    };

    private static final ClassValue<Boolean> PLAIN = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            return immutable(type, new HashSet<>()) && plain(type, new HashSet<>());
        }
    };

    private ImmutableTypes() {
    }

    /** Whether every object of type is immutable, as the class Javadoc says. */
    public static boolean isImmutable(Class<?> type) {
        return IMMUTABLE.get(type);
    }

    /**
     * Whether type is immutable and neither it nor any record or enum among its components carries
     * a Jackson annotation (on the class, a component, its accessor, field or constructor). With a
     * plain {@code new ObjectMapper()}, such a value reads back from the JSON it was written as an
     * equal value: nothing renames, leaves out or converts a property one way only. So a value of such
     * a type that was just written can stand for what a read of it would decode.
     */
    public static boolean isPlain(Class<?> type) {
        return PLAIN.get(type);
    }

    private static boolean immutable(Class<?> type, Set<Class<?>> visiting) {
        if (type.isPrimitive() || VALUES.contains(type) || type.isEnum()) {
            return true;
        }
        if (!type.isRecord()) {
            return false;
        }
        if (!visiting.add(type)) {
            return true; // a record that refers to itself: it is immutable if the rest of it is
        }
        for (RecordComponent component : type.getRecordComponents()) {
            // getType() erases: a type variable is its bound, Object, which is refused.
            if (!immutable(component.getType(), visiting)) {
                return false;
            }
        }
        return true;
    }

    private static boolean plain(Class<?> type, Set<Class<?>> visiting) {
        if (type.isPrimitive() || VALUES.contains(type)) {
            return true;
        }
        if (!visiting.add(type)) {
            return true;
        }
        if (hasJacksonAnnotation(type)) {
            return false;
        }
        if (type.isEnum()) {
            for (var field : type.getDeclaredFields()) {
                if (hasJacksonAnnotation(field)) {
                    return false;
                }
            }
            for (var method : type.getDeclaredMethods()) {
                if (hasJacksonAnnotation(method)) {
                    return false;
                }
            }
            return true;
        }
        for (RecordComponent component : type.getRecordComponents()) {
            if (hasJacksonAnnotation(component) || hasJacksonAnnotation(component.getAccessor())
                    || !plain(component.getType(), visiting)) {
                return false;
            }
        }
        for (var field : type.getDeclaredFields()) {
            if (hasJacksonAnnotation(field)) {
                return false;
            }
        }
        Set<String> accessors = new HashSet<>();
        for (RecordComponent component : type.getRecordComponents()) {
            accessors.add(component.getName());
        }
        for (var method : type.getDeclaredMethods()) {
            if (hasJacksonAnnotation(method)) {
                return false; // @JsonProperty on an extra getter, @JsonValue, @JsonAnyGetter...
            }
            boolean getter = (method.getName().startsWith("get") || method.getName().startsWith("is"))
                    && method.getParameterCount() == 0 && java.lang.reflect.Modifier.isPublic(method.getModifiers())
                    && !java.lang.reflect.Modifier.isStatic(method.getModifiers());
            if (getter && !accessors.contains(method.getName())) {
                return false; // Jackson writes it as one more property, which a read then refuses
            }
        }
        for (var constructor : type.getDeclaredConstructors()) {
            if (hasJacksonAnnotation(constructor)) {
                return false;
            }
            for (Annotation[] parameter : constructor.getParameterAnnotations()) {
                for (Annotation annotation : parameter) {
                    if (isJackson(annotation)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private static boolean hasJacksonAnnotation(AnnotatedElement element) {
        for (Annotation annotation : element.getDeclaredAnnotations()) {
            if (isJackson(annotation)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isJackson(Annotation annotation) {
        return annotation.annotationType().getName().startsWith("com.fasterxml.jackson.");
    }
}
