"""Word lists of the sample recipes: proteins, vegetables, starches, flavours, methods, intros and notes."""

from __future__ import annotations

PROTEINS = ["chicken thighs", "chickpeas", "salmon fillets", "firm tofu", "red lentils", "pork chops",
            "chestnut mushrooms", "white beans", "halloumi", "prawns"]
VEGETABLES = ["broccoli", "red peppers", "courgettes", "spinach", "carrots", "green beans", "cherry tomatoes",
              "sweet potatoes", "cauliflower", "leeks", "kale", "aubergine"]
STARCHES = ["rice", "couscous", "crusty bread", "new potatoes", "egg noodles", "quinoa", "flatbreads", "orzo"]
FLAVOURS = [
    ("lemon and herb", ["1 lemon, zested and juiced", "a small bunch of parsley", "2 cloves of garlic"]),
    ("smoky paprika", ["2 teaspoons of smoked paprika", "1 teaspoon of ground cumin", "2 cloves of garlic"]),
    ("ginger and garlic", ["a thumb-sized piece of ginger", "3 cloves of garlic",
     "2 tablespoons of soy sauce"]),
    ("tomato and basil", ["a tin of chopped tomatoes", "a handful of basil leaves", "1 onion"]),
    ("miso and sesame", ["2 tablespoons of white miso", "1 tablespoon of sesame oil",
     "a pinch of chilli flakes"]),
    ("coconut curry", ["a tin of coconut milk", "2 tablespoons of curry paste", "1 lime"]),
    ("honey and mustard", ["2 tablespoons of honey", "1 tablespoon of wholegrain mustard",
     "a splash of cider vinegar"]),
]
RECIPE_METHODS = {
    "roast": ["Heat the oven to {temp} degrees Celsius.",
              "Toss the {veg} and the {protein} with a little oil, salt and the {flavour} ingredients.",
              "Spread everything out on a large tray so nothing is crowded.",
              "Roast for {mins} minutes, turning once halfway through, until golden at the edges.",
              "Meanwhile, cook the {starch} according to the packet instructions.",
              "Serve the tray straight to the table with the {starch} on the side."],
    "pan": ["Warm a tablespoon of oil in a large frying pan over a medium-high heat.",
            "Cook the {protein} for {mins2} minutes until browned, then lift out onto a plate.",
            "Add the {veg} to the same pan with a pinch of salt and cook until just tender.",
            "Stir in the {flavour} ingredients and let them sizzle for a minute.",
            "Return the {protein} to the pan with a splash of water and simmer for a few minutes.",
            "Spoon over the {starch} and finish with a little black pepper."],
    "stew": ["Soften a chopped onion in a heavy pot with a little oil for {mins2} minutes.",
             "Add the {flavour} ingredients and stir for a minute until fragrant.",
             "Tip in the {protein} and the {veg}, then add enough stock to just cover.",
             "Bring to a gentle simmer, cover and cook for {mins} minutes, stirring now and then.",
             "Taste and adjust the seasoning; a squeeze of lemon brightens it up.",
             "Ladle into bowls and serve with the {starch}."],
    "grill": ["Mix the {flavour} ingredients with a tablespoon of oil to make a marinade.",
              "Coat the {protein} in half of the marinade and leave for {mins} minutes, or overnight if you "
              "can.",
              "Heat a griddle pan or the grill until very hot.",
              "Grill the {protein} for {mins2} minutes on each side, until nicely charred.",
              "Toss the {veg} in the rest of the marinade and grill them alongside until soft.",
              "Pile everything onto the {starch} and spoon over any juices from the board."],
    "soup": ["Melt a knob of butter in a large saucepan and add the {veg} with a pinch of salt.",
             "Cover and sweat over a low heat for {mins2} minutes without letting anything brown.",
             "Add the {flavour} ingredients and about a litre of hot stock.",
             "Simmer for {mins} minutes, then add the {protein} and cook until heated through.",
             "Blend half of the soup for a creamy texture and keep the rest chunky.",
             "Serve in warm bowls with the {starch} for dipping."],
    "bake": ["Heat the oven to {temp} degrees Celsius and grease a deep baking dish.",
             "Layer the {veg} in the dish and season well with salt and pepper.",
             "Nestle the {protein} on top and scatter over the {flavour} ingredients.",
             "Pour in a small glass of water or stock so the bottom does not catch.",
             "Cover with foil and bake for {mins} minutes, then uncover for the last ten minutes to colour.",
             "Rest for five minutes and serve with the {starch}."],
}
RECIPE_INTROS = [
    "This is the dinner I make when the fridge is looking bare and everyone is hungry.",
    "A weeknight favourite in our house: one pan, very little washing up and plenty of flavour.",
    "I first made this on a rainy evening when I could not face going to the shops.",
    "Quick enough for a weeknight and good enough for guests.",
    "My children call this the orange dinner, which is not exactly accurate but has stuck.",
    "Adapted from a recipe card my grandmother kept in a biscuit tin, with a few modern shortcuts.",
    "Cheap, filling and ready before anyone starts complaining about being hungry.",
    "A recipe that started as an experiment and ended up on our regular rotation.",
    "Good for batch cooking at the weekend, with enough left over for lunches.",
    "Nothing fancy here, just honest food that tastes better than the sum of its parts.",
    "I make a double batch of this whenever friends come round.",
    "The kind of meal that makes the whole kitchen smell wonderful.",
]
RECIPE_NOTES = [
    "Leftovers keep in the fridge for up to {n} days and reheat well.",
    "You can swap the {veg} for whatever vegetables need using up.",
    "For a vegetarian version, use extra beans instead of the {protein}.",
    "It freezes well in portions; defrost overnight in the fridge.",
    "If you like heat, add a finely chopped chilli with the garlic.",
    "A spoonful of yoghurt on top makes it feel a little more special.",
]
