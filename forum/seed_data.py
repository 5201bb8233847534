"""Seed content for the forum: categories, topics, demo users and a demo thread.

Every topic is offered in English, Arabic and Persian. The demo users and the
demo thread are invented and exist only to show a mixed-language discussion.
"""

from __future__ import annotations

from typing import Any, Final, TypedDict


class Text(TypedDict):
    title: str
    body: str


CATEGORIES: Final[list[dict[str, Any]]] = [
    {
        "slug": "nationalities-and-sectarianism",
        "names": {
            "en": "Sectarianism, Nationalities and Self-Determination",
            "ar": "الطائفية والقوميات وحق تقرير المصير",
            "fa": "فرقه‌گرایی، ملیت‌ها و حق تعیین سرنوشت",
        },
        "descriptions": {
            "en": "Discussion of religious sectarian prejudice, the rights of Kurds and other nationalities, and federal solutions.",
            "ar": "نقاش حول التعصب الطائفي الديني، وحقوق الكرد والقوميات الأخرى، والحلول الفيدرالية.",
            "fa": "گفت‌وگو دربارهٔ تعصبات فرقه‌ای و مذهبی، حقوق کردها و دیگر ملیت‌ها، و راه‌حل‌های فدرال.",
        },
    },
    {
        "slug": "war-and-solidarity",
        "names": {
            "en": "The Regime, the War and Solidarity",
            "ar": "النظام والحرب والتضامن",
            "fa": "رژیم، جنگ و همبستگی",
        },
        "descriptions": {
            "en": "Discussion of the Syrian regime's foreign backers, the future of Syria and joint actions of solidarity.",
            "ar": "نقاش حول الداعمين الخارجيين للنظام السوري، ومستقبل سوريا، والتحركات المشتركة للتضامن.",
            "fa": "گفت‌وگو دربارهٔ حامیان خارجی رژیم سوریه، آیندهٔ سوریه و اقدامات مشترک همبستگی.",
        },
    },
    {
        "slug": "socialism-and-social-justice",
        "names": {
            "en": "Socialism and Social Justice",
            "ar": "الاشتراكية والعدالة الاجتماعية",
            "fa": "سوسیالیسم و عدالت اجتماعی",
        },
        "descriptions": {
            "en": "Discussion of class and gender justice and of what socialism means as a vision of human emancipation.",
            "ar": "نقاش حول العدالة الطبقية والجندرية وحول معنى الاشتراكية بوصفها رؤية للتحرر الإنساني.",
            "fa": "گفت‌وگو دربارهٔ عدالت طبقاتی و جنسیتی و معنای سوسیالیسم به‌عنوان چشم‌اندازی برای رهایی انسان.",
        },
    },
]


TOPICS: Final[list[dict[str, Any]]] = [
    {
        "key": "sectarian-prejudice",
        "category": "nationalities-and-sectarianism",
        "texts": {
            "en": {
                "title": "How can we challenge Shia and Sunni prejudices that promote hatred in the region?",
                "body": (
                    "The call notes that rival regional powers are intensifying their competition "
                    "for influence by fanning the flames of religious sectarianism, and that the war "
                    "in Syria has been fought partly through sectarian militias. It argues that no "
                    "viable alternative can be built without tackling the class, ethnic and religious "
                    "divisions in the Middle East.\n\n"
                    "How can Shia–Sunni hatred be countered in everyday life, in the media and in "
                    "political organising? We invite contributors to share their answers, experiences "
                    "and proposals."
                ),
            },
            "ar": {
                "title": "كيف يمكننا التصدي للأحكام المسبقة بين الشيعة والسنة التي تؤجج الكراهية في المنطقة؟",
                "body": (
                    "تشير الدعوة إلى أن القوى الإقليمية المتنافسة تصعّد صراعها على النفوذ عبر تأجيج "
                    "نيران الطائفية الدينية، وإلى أن الحرب في سوريا خيضت جزئياً عبر ميليشيات طائفية. "
                    "وترى أنه لا يمكن بناء بديل قابل للحياة من دون معالجة الانقسامات الطبقية والإثنية "
                    "والدينية في الشرق الأوسط.\n\n"
                    "كيف يمكن التصدي للكراهية بين الشيعة والسنة في الحياة اليومية وفي الإعلام وفي "
                    "العمل السياسي المنظم؟ ندعو المشاركين إلى تقديم إجاباتهم وتجاربهم ومقترحاتهم."
                ),
            },
            "fa": {
                "title": "چگونه می‌توانیم با پیش‌داوری‌های شیعی و سنی که به نفرت در منطقه دامن می‌زنند مقابله کنیم؟",
                "body": (
                    "در این فراخوان آمده است که قدرت‌های رقیب منطقه‌ای با دامن زدن به آتش فرقه‌گرایی "
                    "مذهبی، رقابت خود را برای نفوذ تشدید کرده‌اند و جنگ سوریه تا اندازه‌ای از طریق "
                    "شبه‌نظامیان فرقه‌ای پیش برده شده است. به باور نویسندگان فراخوان، هیچ بدیل ماندگاری "
                    "بدون پرداختن به شکاف‌های طبقاتی، قومی و مذهبی در خاورمیانه شکل نمی‌گیرد.\n\n"
                    "چگونه می‌توان در زندگی روزمره، در رسانه‌ها و در سازمان‌دهی سیاسی با نفرت میان "
                    "شیعه و سنی مقابله کرد؟ از مشارکت‌کنندگان دعوت می‌کنیم پاسخ‌ها، تجربه‌ها و "
                    "پیشنهادهای خود را در میان بگذارند."
                ),
            },
        },
    },
    {
        "key": "end-of-foreign-support",
        "category": "war-and-solidarity",
        "texts": {
            "en": {
                "title": "What will happen in Syria if Iranian and Russian support for the Assad regime ends?",
                "body": (
                    "According to the call, Russian air strikes, ground forces backed by Iran and "
                    "international diplomacy have given the regime new life, while a partial reduction "
                    "of air strikes in early March led to an immediate revival of peaceful mass "
                    "protests across the country.\n\n"
                    "What would change, militarily, politically and for ordinary people, if this "
                    "outside support ended? We invite contributors to set out the scenarios they "
                    "consider likely and what these would mean for the democratic opposition."
                ),
            },
            "ar": {
                "title": "ماذا سيحدث في سوريا إذا توقف الدعم الإيراني والروسي لنظام الأسد؟",
                "body": (
                    "بحسب الدعوة، منحت الغارات الجوية الروسية والقوات البرية المدعومة من إيران "
                    "والدبلوماسية الدولية النظامَ حياةً جديدة، في حين أدى التراجع الجزئي للغارات "
                    "الجوية في مطلع آذار/مارس إلى عودة فورية للاحتجاجات الشعبية السلمية الواسعة في "
                    "أنحاء البلاد.\n\n"
                    "ما الذي سيتغير، عسكرياً وسياسياً وفي حياة الناس العاديين، إذا توقف هذا الدعم "
                    "الخارجي؟ ندعو المشاركين إلى عرض السيناريوهات التي يرونها مرجّحة وما قد تعنيه "
                    "للمعارضة الديمقراطية."
                ),
            },
            "fa": {
                "title": "اگر حمایت ایران و روسیه از رژیم اسد پایان یابد، در سوریه چه اتفاقی خواهد افتاد؟",
                "body": (
                    "به گفتهٔ فراخوان، حملات هوایی روسیه، نیروهای زمینی مورد حمایت ایران و دیپلماسی "
                    "بین‌المللی به رژیم جانی تازه بخشیده‌اند، در حالی که کاهش نسبی حملات هوایی در "
                    "اوایل ماه مارس بی‌درنگ به احیای اعتراضات توده‌ای و مسالمت‌آمیز در سراسر کشور "
                    "انجامید.\n\n"
                    "اگر این حمایت خارجی پایان یابد، از نظر نظامی، سیاسی و در زندگی مردم عادی چه "
                    "چیزی تغییر خواهد کرد؟ از مشارکت‌کنندگان دعوت می‌کنیم سناریوهایی را که محتمل "
                    "می‌دانند و پیامدهای آن‌ها برای اپوزیسیون دموکراتیک را شرح دهند."
                ),
            },
        },
    },
    {
        "key": "self-determination",
        "category": "nationalities-and-sectarianism",
        "texts": {
            "en": {
                "title": (
                    "How will Syrian and Iranian socialists answer the criticisms/concerns of Kurds "
                    "and other nationalities who want self-determination?"
                ),
                "body": (
                    "The call affirms support for the Kurdish national liberation movement and its "
                    "struggle for self-determination in Iraq, Syria, Turkey and Iran, while arguing "
                    "that this struggle cannot be separated from the dynamics of the Syrian "
                    "revolution: the liberation of the Kurdish people is linked to the liberation of "
                    "all the peoples of the region.\n\n"
                    "Kurds and other nationalities have raised criticisms and concerns about how "
                    "socialists approach their demands. How should these be answered? We invite "
                    "contributors, especially members of the communities concerned, to join the "
                    "discussion."
                ),
            },
            "ar": {
                "title": (
                    "كيف سيردّ الاشتراكيون السوريون والإيرانيون على انتقادات ومخاوف الكرد والقوميات "
                    "الأخرى التي تطالب بحق تقرير المصير؟"
                ),
                "body": (
                    "تؤكد الدعوة دعمها لحركة التحرر الوطني الكردية ونضالها من أجل حق تقرير المصير في "
                    "العراق وسوريا وتركيا وإيران، لكنها ترى أن هذا النضال لا يمكن فصله عن ديناميات "
                    "الثورة السورية، فتحرر الشعب الكردي مرتبط بتحرر جميع شعوب المنطقة.\n\n"
                    "لقد طرح الكرد والقوميات الأخرى انتقادات ومخاوف بشأن طريقة تعامل الاشتراكيين مع "
                    "مطالبهم. كيف ينبغي الرد عليها؟ ندعو المشاركين، ولا سيما أبناء المجتمعات المعنية، "
                    "إلى الإسهام في النقاش."
                ),
            },
            "fa": {
                "title": (
                    "سوسیالیست‌های سوری و ایرانی چگونه به انتقادها و نگرانی‌های کردها و دیگر "
                    "ملیت‌هایی که خواهان حق تعیین سرنوشت‌اند پاسخ خواهند داد؟"
                ),
                "body": (
                    "این فراخوان بر حمایت از جنبش رهایی‌بخش ملی کرد و مبارزهٔ آن برای حق تعیین "
                    "سرنوشت در عراق، سوریه، ترکیه و ایران تأکید می‌کند، اما معتقد است که این مبارزه "
                    "را نمی‌توان از پویایی انقلاب سوریه جدا کرد: رهایی مردم کرد با رهایی همهٔ مردمان "
                    "منطقه گره خورده است.\n\n"
                    "کردها و دیگر ملیت‌ها انتقادها و نگرانی‌هایی دربارهٔ شیوهٔ برخورد سوسیالیست‌ها با "
                    "خواسته‌هایشان مطرح کرده‌اند. به این انتقادها و نگرانی‌ها چگونه باید پاسخ داد؟ از "
                    "مشارکت‌کنندگان، به‌ویژه اعضای جوامع مربوط، دعوت می‌کنیم در این بحث شرکت کنند."
                ),
            },
        },
    },
    {
        "key": "federalism",
        "category": "nationalities-and-sectarianism",
        "texts": {
            "en": {
                "title": "Do Syrian and Iranian socialists think that federalism can be an initial solution?",
                "body": (
                    "The call points out that it was the 2011 Syrian revolution that made it possible "
                    "for autonomous cantons to emerge in northern Syria, and that the rights of "
                    "oppressed nationalities and minorities are central to any democratic alternative "
                    "in the region.\n\n"
                    "Could a federal arrangement serve as a first step toward a democratic settlement, "
                    "or would it risk deepening divisions? We invite contributors to weigh the "
                    "arguments and share examples from the region and elsewhere."
                ),
            },
            "ar": {
                "title": "هل يرى الاشتراكيون السوريون والإيرانيون أن الفيدرالية يمكن أن تكون حلاً أولياً؟",
                "body": (
                    "تشير الدعوة إلى أن الثورة السورية عام 2011 هي التي أتاحت نشوء كانتونات تتمتع "
                    "بالحكم الذاتي في شمال سوريا، وإلى أن حقوق القوميات والأقليات المضطهدة أساسية "
                    "لأي بديل ديمقراطي في المنطقة.\n\n"
                    "هل يمكن لصيغة فيدرالية أن تكون خطوة أولى نحو تسوية ديمقراطية، أم أنها قد تزيد "
                    "الانقسامات عمقاً؟ ندعو المشاركين إلى موازنة الحجج وتقديم أمثلة من المنطقة ومن "
                    "خارجها."
                ),
            },
            "fa": {
                "title": "آیا سوسیالیست‌های سوری و ایرانی فکر می‌کنند که فدرالیسم می‌تواند راه‌حلی اولیه باشد؟",
                "body": (
                    "فراخوان یادآوری می‌کند که انقلاب ۲۰۱۱ سوریه بود که امکان پیدایش کانتون‌های "
                    "خودمختار را در شمال سوریه فراهم کرد، و اینکه حقوق ملیت‌ها و اقلیت‌های تحت ستم "
                    "در هر بدیل دموکراتیکی در منطقه جایگاهی محوری دارد.\n\n"
                    "آیا یک ساختار فدرال می‌تواند گام نخست به سوی یک راه‌حل دموکراتیک باشد، یا خطر "
                    "عمیق‌تر شدن شکاف‌ها را در پی دارد؟ از مشارکت‌کنندگان دعوت می‌کنیم استدلال‌ها را "
                    "بسنجند و نمونه‌هایی از منطقه و جاهای دیگر ارائه کنند."
                ),
            },
        },
    },
    {
        "key": "social-justice",
        "category": "socialism-and-social-justice",
        "texts": {
            "en": {
                "title": "What is your vision of social justice when it comes to class and gender struggles?",
                "body": (
                    "The call describes both the regime and its jihadist rivals as capitalist, racist "
                    "and misogynist powers, and urges socialists to speak to the struggles of women, "
                    "workers, oppressed nationalities, ethnic and religious minorities, and sexual "
                    "minorities.\n\n"
                    "What would social justice look like in practice, at work, at home and before the "
                    "law? How do class and gender struggles relate to each other? We invite "
                    "contributors to share their vision."
                ),
            },
            "ar": {
                "title": "ما رؤيتك للعدالة الاجتماعية في ما يخص النضال الطبقي والنضال الجندري؟",
                "body": (
                    "تصف الدعوة كلاً من النظام وخصومه الجهاديين بأنهم قوى رأسمالية وعنصرية ومعادية "
                    "للنساء، وتحث الاشتراكيين على التعبير عن نضالات النساء والعمال والقوميات المضطهدة "
                    "والأقليات الإثنية والدينية والأقليات الجنسية.\n\n"
                    "كيف تبدو العدالة الاجتماعية على أرض الواقع، في مكان العمل وفي البيت وأمام "
                    "القانون؟ وما العلاقة بين النضال الطبقي والنضال الجندري؟ ندعو المشاركين إلى عرض "
                    "رؤيتهم."
                ),
            },
            "fa": {
                "title": "چشم‌انداز شما از عدالت اجتماعی در زمینهٔ مبارزات طبقاتی و جنسیتی چیست؟",
                "body": (
                    "فراخوان هم رژیم و هم رقبای جهادی آن را قدرت‌هایی سرمایه‌دارانه، نژادپرست و "
                    "زن‌ستیز توصیف می‌کند و از سوسیالیست‌ها می‌خواهد صدای مبارزات زنان، کارگران، "
                    "ملیت‌های تحت ستم، اقلیت‌های قومی و مذهبی و اقلیت‌های جنسی باشند.\n\n"
                    "عدالت اجتماعی در عمل، در محل کار، در خانه و در برابر قانون، چه شکلی خواهد داشت؟ "
                    "مبارزات طبقاتی و جنسیتی چه نسبتی با یکدیگر دارند؟ از مشارکت‌کنندگان دعوت "
                    "می‌کنیم چشم‌انداز خود را در میان بگذارند."
                ),
            },
        },
    },
    {
        "key": "meaning-of-socialism",
        "category": "socialism-and-social-justice",
        "texts": {
            "en": {
                "title": (
                    "What does socialism mean to you and how do you distinguish your concept of "
                    "socialism from the totalitarian regimes that existed in the Stalinist Soviet "
                    "Union and Maoist China?"
                ),
                "body": (
                    "The call proposes to restate socialism as a concept of human emancipation: "
                    "opposed to regional and global capitalist and imperialist powers, but also an "
                    "affirmative vision clearly distinguished from the totalitarian regimes that "
                    "called themselves communist in the Stalinist Soviet Union and Maoist China.\n\n"
                    "What does that distinction mean for democracy, ownership, political pluralism and "
                    "individual freedom? We invite contributors to explain what socialism means to "
                    "them."
                ),
            },
            "ar": {
                "title": (
                    "ماذا تعني الاشتراكية بالنسبة إليك، وكيف تميّز مفهومك للاشتراكية عن الأنظمة "
                    "الشمولية التي قامت في الاتحاد السوفييتي الستاليني والصين الماوية؟"
                ),
                "body": (
                    "تقترح الدعوة إعادة طرح الاشتراكية بوصفها مفهوماً للتحرر الإنساني: مناهضة للقوى "
                    "الرأسمالية والإمبريالية الإقليمية والعالمية، ولكنها أيضاً رؤية إيجابية تتمايز "
                    "بوضوح عن الأنظمة الشمولية التي سمّت نفسها شيوعية في الاتحاد السوفييتي الستاليني "
                    "والصين الماوية.\n\n"
                    "ماذا يعني هذا التمايز بالنسبة إلى الديمقراطية والملكية والتعددية السياسية "
                    "والحرية الفردية؟ ندعو المشاركين إلى شرح ما تعنيه الاشتراكية بالنسبة إليهم."
                ),
            },
            "fa": {
                "title": (
                    "سوسیالیسم برای شما چه معنایی دارد و مفهوم سوسیالیسم خود را چگونه از رژیم‌های "
                    "تمامیت‌خواهی که در شوروی استالینی و چین مائوئیستی وجود داشتند متمایز می‌کنید؟"
                ),
                "body": (
                    "فراخوان پیشنهاد می‌کند که سوسیالیسم دوباره به‌عنوان مفهومی برای رهایی انسان "
                    "تعریف شود: در تقابل با قدرت‌های سرمایه‌داری و امپریالیستی منطقه‌ای و جهانی، و در "
                    "عین حال چشم‌اندازی ایجابی که آشکارا از رژیم‌های تمامیت‌خواهی که در شوروی "
                    "استالینی و چین مائوئیستی خود را کمونیست می‌نامیدند متمایز است.\n\n"
                    "این تمایز برای دموکراسی، مالکیت، کثرت‌گرایی سیاسی و آزادی فردی چه معنایی دارد؟ "
                    "از مشارکت‌کنندگان دعوت می‌کنیم توضیح دهند که سوسیالیسم برای آن‌ها چه معنایی دارد."
                ),
            },
        },
    },
    {
        "key": "joint-actions",
        "category": "war-and-solidarity",
        "texts": {
            "en": {
                "title": (
                    "What appropriate joint actions of Syrian and Iranian socialists would you suggest "
                    "in order to help us express our opposition to the Assad regime as well as ISIS "
                    "and other jihadist organizations, and engage in solidarity with the Syrian "
                    "democratic opposition?"
                ),
                "body": (
                    "The call aims to build solidarity between Syrian and Iranian socialists, through "
                    "articles and through joint activities such as conferences, opposing both the "
                    "regime and the jihadist organisations while supporting the Syrian democratic "
                    "opposition. It also points to the refugee crisis, with millions displaced inside "
                    "and outside Syria, as a test of international solidarity.\n\n"
                    "Which concrete actions, from campaigns and events to translations and support "
                    "for refugees, would be most useful? We invite contributors to propose ideas and "
                    "share what has worked before."
                ),
            },
            "ar": {
                "title": (
                    "ما التحركات المشتركة المناسبة للاشتراكيين السوريين والإيرانيين التي تقترحها "
                    "لمساعدتنا على التعبير عن معارضتنا لنظام الأسد ولداعش وغيره من التنظيمات "
                    "الجهادية، وعلى التضامن مع المعارضة الديمقراطية السورية؟"
                ),
                "body": (
                    "تهدف الدعوة إلى بناء التضامن بين الاشتراكيين السوريين والإيرانيين، من خلال "
                    "المقالات ومن خلال أنشطة مشتركة مثل المؤتمرات، مع معارضة النظام والتنظيمات "
                    "الجهادية معاً ودعم المعارضة الديمقراطية السورية. كما تشير إلى أزمة اللاجئين، مع "
                    "ملايين المهجّرين داخل سوريا وخارجها، بوصفها اختباراً للتضامن الدولي.\n\n"
                    "ما التحركات الملموسة الأكثر فائدة، من الحملات والفعاليات إلى الترجمة ودعم "
                    "اللاجئين؟ ندعو المشاركين إلى اقتراح أفكارهم وتبادل ما نجح من تجارب سابقة."
                ),
            },
            "fa": {
                "title": (
                    "چه اقدامات مشترک مناسبی را از سوی سوسیالیست‌های سوری و ایرانی پیشنهاد می‌کنید تا "
                    "به ما کمک کند مخالفت خود را با رژیم اسد و نیز داعش و دیگر سازمان‌های جهادی ابراز "
                    "کنیم و با اپوزیسیون دموکراتیک سوریه همبستگی نشان دهیم؟"
                ),
                "body": (
                    "هدف این فراخوان ایجاد همبستگی میان سوسیالیست‌های سوری و ایرانی است، هم از راه "
                    "مقاله‌ها و هم از راه فعالیت‌های مشترکی مانند کنفرانس‌ها، همراه با مخالفت هم‌زمان "
                    "با رژیم و سازمان‌های جهادی و پشتیبانی از اپوزیسیون دموکراتیک سوریه. فراخوان "
                    "همچنین به بحران پناهندگان، با میلیون‌ها آواره در داخل و خارج سوریه، به‌عنوان "
                    "آزمونی برای همبستگی بین‌المللی اشاره می‌کند.\n\n"
                    "کدام اقدامات مشخص، از کارزارها و برنامه‌ها تا ترجمه و پشتیبانی از پناهندگان، "
                    "بیشترین فایده را دارند؟ از مشارکت‌کنندگان دعوت می‌کنیم ایده‌های خود را پیشنهاد "
                    "کنند و تجربه‌های موفق پیشین را در میان بگذارند."
                ),
            },
        },
    },
]


DEMO_USERS: Final[list[dict[str, Any]]] = [
    {"username": "sam-o", "language": "en"},
    {"username": "lina.k", "language": "en"},
    {"username": "سليم", "language": "ar"},
    {"username": "nour_h", "language": "ar"},
    {"username": "نرگس", "language": "fa"},
    {"username": "darya_m", "language": "fa"},
]


DEMO_THREAD: Final[dict[str, Any]] = {
    "topic": "federalism",
    "replies": [
        {
            "author": "sam-o",
            "lang": "en",
            "body": (
                "The call itself says:\n\n"
                "> No viable alternative can be shaped without tackling the class, ethnic and "
                "religious divisions in the Middle East.\n\n"
                "I think federalism deserves a serious hearing as an *initial* solution to exactly "
                "that problem, for three reasons:\n\n"
                "1. **It breaks up concentrated power.** A state that has ruled through one security "
                "apparatus in the capital cannot simply be replaced by another centralised state "
                "without reproducing the same habits.\n"
                "2. **It gives nationalities a real stake.** Kurds and others would not have to "
                "choose between a unitary state that denied them and outright separation.\n"
                "3. **It is negotiable.** An initial arrangement can be revisited once people are "
                "able to vote freely.\n\n"
                "The condition is that regions are drawn by geography and democratic consent, "
                "**not** by sect. I collected some comparative notes on federal models "
                "[here](https://example.org)."
            ),
            "replies": [
                {
                    "author": "سليم",
                    "lang": "ar",
                    "body": (
                        "أتفهّم منطقك، لكن تجربتنا في المنطقة تدعو إلى الحذر. كثيراً ما تحوّلت صيغ "
                        "تقاسم السلطة إلى محاصصة طائفية تجمّد الانقسامات بدلاً من تجاوزها، وتمنح "
                        "زعماء الطوائف سلطة دائمة على «جماعاتهم». وفي سوريا اليوم، بعد سنوات من "
                        "التهجير والتغيير السكاني القسري، أخشى أن يؤدي رسم حدود الأقاليم إلى تكريس "
                        "نتائج الحرب نفسها.\n\n"
                        "لا أرفض الفيدرالية من حيث المبدأ، لكنني أسأل: من سيرسم الحدود، ومتى، وبأي "
                        "شرعية؟"
                    ),
                    "replies": [
                        {
                            "author": "darya_m",
                            "lang": "fa",
                            "body": (
                                "> چه کسی مرزها را می‌کشد، چه زمانی و با کدام مشروعیت؟\n\n"
                                "پرسش بسیار درستی است. به نظر من باید میان دو چیز تفاوت گذاشت: "
                                "**فدرالیسم سرزمینی و دموکراتیک**، که در آن شهروندان هر منطقه "
                                "صرف‌نظر از مذهبشان نمایندگان خود را انتخاب می‌کنند، و **سهمیه‌بندی "
                                "فرقه‌ای**، که در آن کرسی‌ها از پیش میان فرقه‌ها تقسیم می‌شود. اولی "
                                "می‌تواند قدرت را به مردم نزدیک‌تر کند؛ دومی همان پیش‌داوری‌هایی را "
                                "که می‌خواهیم با آن‌ها مبارزه کنیم نهادینه می‌کند.\n\n"
                                "دربارهٔ مرزها هم فکر می‌کنم هیچ مرزی نباید پیش از بازگشت آوارگان و "
                                "برگزاری همه‌پرسی آزاد قطعی شود."
                            ),
                            "replies": [
                                {
                                    "author": "lina.k",
                                    "lang": "en",
                                    "body": (
                                        "This distinction between territorial federalism and "
                                        "sectarian quotas is really helpful, thank you. It also "
                                        "suggests a sequence: the return of displaced people first, "
                                        "then local elections, then a constitutional settlement.\n\n"
                                        "Does anyone know how such a sequence might apply in Iran, "
                                        "where the provinces were never designed around the "
                                        "nationalities living in them?"
                                    ),
                                    "replies": [],
                                },
                            ],
                        },
                    ],
                },
                {
                    "author": "نرگس",
                    "lang": "fa",
                    "body": (
                        "از منظر ایران هم این بحث اهمیت دارد. دولت مرکزی در ایران در طول یک قرن "
                        "گذشته با تمرکزگرایی شدید، زبان‌ها و فرهنگ‌های کردها، بلوچ‌ها، عرب‌ها، "
                        "ترک‌های آذربایجانی و دیگران را به حاشیه رانده است. بسیاری از فعالان این "
                        "ملیت‌ها فدرالیسم را نه جدایی، بلکه راهی برای زندگی مشترک بر پایهٔ برابری "
                        "می‌دانند.\n\n"
                        "با این حال، سوسیالیست‌ها باید روشن بگویند که حق تعیین سرنوشت شامل حق جدایی "
                        "هم می‌شود؛ فدرالیسم فقط زمانی معنا دارد که انتخابی آزادانه باشد، نه راه‌حلی "
                        "که از بالا تحمیل شود."
                    ),
                    "replies": [
                        {
                            "author": "nour_h",
                            "lang": "ar",
                            "body": (
                                "أوافق على أن الفيدرالية يجب أن تكون خياراً حراً لا حلاً مفروضاً. "
                                "لكن هناك سؤالاً يتكرر في سوريا أيضاً: ماذا عن الأقليات داخل كل "
                                "إقليم؟ إذا حصلت منطقة ما على الحكم الذاتي، فما الضمانات للعرب أو "
                                "السريان أو التركمان الذين يعيشون فيها؟\n\n"
                                "أظن أن أي صيغة فيدرالية تحتاج إلى دستور يضمن الحقوق الفردية "
                                "والجماعية نفسها في كل الأقاليم، مع قضاء مستقل يحميها."
                            ),
                            "replies": [],
                        },
                    ],
                },
            ],
        },
        {
            "author": "lina.k",
            "lang": "en",
            "body": (
                "I want to push on the word *initial* in the question. An initial solution implies "
                "a transition, and transitions are where the most damage is done. Who would "
                "negotiate a federal arrangement while the regime still controls the army and the "
                "security services?\n\n"
                "My worry is that federalism becomes a way for outside powers to divide zones of "
                "influence rather than a way for people to govern themselves."
            ),
            "replies": [
                {
                    "author": "nour_h",
                    "lang": "ar",
                    "body": (
                        "هذا بالضبط ما يقلقني. الفيدرالية في ظل الاستبداد لا معنى لها، إذ لا يمكن "
                        "الحديث عن لامركزية حقيقية ما دامت الأجهزة الأمنية نفسها قائمة. الأولوية في "
                        "رأيي هي وقف القصف، وإطلاق سراح المعتقلين، وعودة اللاجئين بأمان، ثم يأتي "
                        "النقاش حول شكل الدولة عبر هيئات منتخبة.\n\n"
                        "لكنني لا أريد أن يُستخدم ذلك ذريعةً لتأجيل حقوق الكرد إلى ما لا نهاية."
                    ),
                    "replies": [
                        {
                            "author": "sam-o",
                            "lang": "en",
                            "body": (
                                "Fair point, and I agree that the sequence matters. But deferring "
                                "the question entirely has a cost too: people who have already built "
                                "local councils and self-administration will not wait years for a "
                                "national settlement.\n\n"
                                "Perhaps the realistic position is to defend existing local "
                                "self-government where it is democratic, while leaving the final "
                                "constitutional form to an elected assembly."
                            ),
                            "replies": [],
                        },
                    ],
                },
                {
                    "author": "نرگس",
                    "lang": "fa",
                    "body": (
                        "نگرانی شما دربارهٔ تقسیم مناطق نفوذ میان قدرت‌های خارجی کاملاً بجاست. اما "
                        "به نظرم پاسخ این نگرانی کنار گذاشتن فدرالیسم نیست، بلکه پیوند دادن آن با "
                        "جنبش‌های مردمی از پایین است: شوراهای محلی، اتحادیه‌ها و سازمان‌های زنان.\n\n"
                        "فدرالیسمی که از دل این نهادها بیرون بیاید با فدرالیسمی که در اتاق‌های "
                        "مذاکرهٔ قدرت‌های بزرگ طراحی شود تفاوتی بنیادین دارد."
                    ),
                    "replies": [],
                },
            ],
        },
    ],
}
