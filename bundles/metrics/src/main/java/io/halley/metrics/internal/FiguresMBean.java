package io.halley.metrics.internal;

import java.util.Map;
import java.util.function.Supplier;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.ReflectionException;

/**
 * A read-only MBean whose attributes are a map of figures, read afresh at every call:
 * the counters of the hub and the authenticator are named at run time (errors by
 * source and code), so a fixed interface cannot list them.
 */
final class FiguresMBean implements DynamicMBean {

    private final String description;
    private final Supplier<Map<String, Long>> figures;

    FiguresMBean(String description, Supplier<Map<String, Long>> figures) {
        this.description = description;
        this.figures = figures;
    }

    @Override
    public Object getAttribute(String attribute) throws AttributeNotFoundException {
        Long v = figures.get().get(attribute);
        if (v == null) {
            throw new AttributeNotFoundException(attribute);
        }
        return v;
    }

    @Override
    public void setAttribute(Attribute attribute) throws AttributeNotFoundException {
        throw new AttributeNotFoundException("read-only: " + attribute.getName());
    }

    @Override
    public AttributeList getAttributes(String[] attributes) {
        Map<String, Long> all = figures.get();
        AttributeList list = new AttributeList();
        for (String a : attributes) {
            Long v = all.get(a);
            if (v != null) {
                list.add(new Attribute(a, v));
            }
        }
        return list;
    }

    @Override
    public AttributeList setAttributes(AttributeList attributes) {
        return new AttributeList();
    }

    @Override
    public Object invoke(String actionName, Object[] params, String[] signature) throws ReflectionException {
        throw new ReflectionException(new NoSuchMethodException(actionName));
    }

    @Override
    public MBeanInfo getMBeanInfo() {
        Map<String, Long> all = figures.get();
        MBeanAttributeInfo[] attributes = all.keySet().stream()
                .map(name -> new MBeanAttributeInfo(name, Long.class.getName(), name, true, false, false))
                .toArray(MBeanAttributeInfo[]::new);
        return new MBeanInfo(getClass().getName(), description, attributes, null, new MBeanOperationInfo[0], null);
    }
}
