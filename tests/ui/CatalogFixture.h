#pragma once

// A small catalog for the console's tests: registries "home" and "office" with devices, and a
// broker, made through Catalog's own operations.

#include "iot/Catalog.h"

#include <string>

namespace iotcore::ui::test {

struct CatalogFixture {
    broker::Catalog catalog;
    std::string home;
    std::string office;
    std::string boiler;
    std::string lamp;
    std::string broker;

    CatalogFixture()
    {
        broker::Registry homeDraft;
        homeDraft.name = "home";
        home = catalog.createRegistry(homeDraft)->id;
        broker::Registry officeDraft;
        officeDraft.name = "office";
        office = catalog.createRegistry(officeDraft)->id;
        broker::Device boilerDraft;
        boilerDraft.registryId = home;
        boilerDraft.name = "boiler";
        boilerDraft.topicAliases = {{"home/boiler", "$devices/{id}/events/boiler"}};
        boiler = catalog.createDevice(boilerDraft)->id;
        broker::Device lampDraft;
        lampDraft.registryId = home;
        lampDraft.name = "lamp";
        lamp = catalog.createDevice(lampDraft)->id;
        broker::IotBroker brokerDraft;
        brokerDraft.name = "factory";
        broker = catalog.createBroker(brokerDraft)->id;
    }
};

} // namespace iotcore::ui::test
